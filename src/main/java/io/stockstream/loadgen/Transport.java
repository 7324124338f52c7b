package io.stockstream.loadgen;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.PrintStream;

/**
 * Netty's native epoll transport when it loads on this machine, NIO otherwise (said on one line),
 * so that the same jar runs everywhere and measures best where it can.
 */
record Transport(String name, IoHandlerFactory factory, Class<? extends SocketChannel> channel) {

  static Transport pick(PrintStream log) {
    if (Epoll.isAvailable()) {
      return new Transport("epoll", EpollIoHandler.newFactory(), EpollSocketChannel.class);
    }
    log.println(
        "loadgen: native epoll unavailable ("
            + Epoll.unavailabilityCause()
            + "), falling back to NIO");
    return new Transport("nio", NioIoHandler.newFactory(), NioSocketChannel.class);
  }

  EventLoopGroup group(int threads) {
    return new MultiThreadIoEventLoopGroup(
        threads, new DefaultThreadFactory("loadgen", true), factory);
  }
}
