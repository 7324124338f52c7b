package io.stockstream.stream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.unix.Socket;
import io.netty.util.collection.IntObjectHashMap;
import io.stockstream.protocol.Disconnect;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WebSocket and all of its state, owned by the event loop that accepted it: its subscriptions,
 * its outbox, its rate limit, when it was last heard from and how far along closing it is. What it
 * holds grows with its subscriptions, never with the size of the market.
 */
final class Connection {

  /**
   * At most this many bytes of shared frames wait in {@link #corked}: beyond it they go to the
   * socket (and count towards its fullness) before the flush, so a long replay is not copied whole.
   */
  static final int CORK_BYTES = 16 * 1024;

  private static final Logger log = LoggerFactory.getLogger(Connection.class);

  final UUID id;
  final Outbox outbox;
  final TokenBucket rateLimit;

  /** Where its frames are written: see {@link WebSocketUpgrade#upgrade}. */
  private final ChannelHandlerContext out;

  /** The socket itself, or null: see {@link VertxInternals#directSocket} and {@link #uncork}. */
  private final Socket socket;

  /**
   * What Netty holds of the socket's bytes: its outbound buffer, kept from the start (Netty only
   * drops it at the close) so that the checks of every tick read one object of Netty's, not the
   * channel's, its unsafe's and then this one, each a cache miss at thousands of sockets.
   */
  private final ChannelOutboundBuffer held;

  private final Flusher flusher;

  /** Its slot in each subscribed symbol's {@link Subscribers}; null while it has none. */
  private IntObjectHashMap<Integer> slots;

  private long lastHeard;

  /** When its {@link Sweeper} pings it next, in {@link System#nanoTime} time. */
  private long nextPingAt;

  /** Written to since the last flush: on its loop's {@link Flusher} list. */
  private boolean unflushed;

  /** Frames went to Netty's pipeline since the last flush, which the flush then sends. */
  private boolean pipelined;

  /**
   * Shared frames (ticks, presence, market status) written since the last flush and not yet handed
   * to the socket: one as a reference to the frame every subscriber shares (retained, its indices
   * never moved, so that no object is made per subscriber), two or more copied into one buffer of
   * this connection's own ({@link #corkCopied}). Frames that leave together then cost the socket
   * one {@code send} (and at most one outbound entry: see {@link #uncork}), not an entry each and a
   * {@code writev} (uWebSockets "corks" a socket the same way). Null when nothing is corked.
   */
  private ByteBuf corked;

  private boolean corkCopied;

  /** Ticks at or below these seqs were already seen by the client (rare: see ResumePlanner). */
  private Map<Integer, Long> seenUpTo;

  /** Set once the server or the client started closing; null while open. */
  private Disconnect closeReason;

  private boolean released;

  Connection(
      ChannelHandlerContext out,
      Socket socket,
      Flusher flusher,
      UUID id,
      int ratePerSecond,
      int burst,
      long nowNanos) {
    this.out = out;
    this.socket = socket;
    this.held = out == null ? null : out.channel().unsafe().outboundBuffer();
    this.flusher = flusher;
    this.id = id;
    this.outbox = new Outbox(this);
    this.rateLimit = new TokenBucket(ratePerSecond, burst, nowNanos);
    this.lastHeard = nowNanos;
  }

  /**
   * Queues a frame on the socket and leaves the flush to the loop's {@link Flusher}; the socket
   * takes over the buffer. A write that fails means the socket is closing, which its close handler
   * deals with.
   */
  void write(ByteBuf frame) {
    if (corked != null) {
      toPipeline(takeCorked());
    }
    toPipeline(frame);
    written();
  }

  /**
   * Queues a frame that other connections share (the caller keeps its reference): see {@link
   * #corked}. Frames keep their order with those of {@link #write}.
   */
  void writeShared(ByteBuf frame) {
    int length = frame.readableBytes();
    if (corked == null) {
      corked = frame.retain();
      written();
      return;
    }
    if (corked.readableBytes() + length > CORK_BYTES) {
      uncork();
      corked = frame.retain();
      return;
    }
    if (!corkCopied) {
      ByteBuf copy =
          out.alloc().directBuffer(Math.min(CORK_BYTES, 4 * (corked.readableBytes() + length)));
      copy.writeBytes(corked, corked.readerIndex(), corked.readableBytes());
      corked.release();
      corked = copy;
      corkCopied = true;
    }
    corked.writeBytes(frame, frame.readerIndex(), length);
  }

  /** Sends what was written since the last flush, in as few syscalls as the kernel takes. */
  void flush() {
    uncork();
    unflushed = false;
    if (pipelined) {
      pipelined = false;
      out.flush();
    }
  }

  /**
   * Sends corked frames: straight to the socket while Netty holds none of its bytes (what the
   * kernel does not take then goes to Netty, which sends it when the socket can take more), through
   * Netty otherwise, so that the socket's bytes keep their order either way.
   */
  private void uncork() {
    if (corked == null) {
      return;
    }
    boolean shared = !corkCopied;
    ByteBuf frames = corked;
    corked = null;
    corkCopied = false;
    if (socket != null && nettyHoldsNothing()) {
      int sent = sendDirect(frames);
      if (sent == frames.readableBytes()) {
        frames.release();
        return;
      }
      if (sent > 0) {
        frames = owned(frames, shared).skipBytes(sent);
        shared = false;
      }
    }
    toPipeline(owned(frames, shared));
  }

  /**
   * The corked frames as a buffer whose indices Netty may move; the corked reference goes with it.
   */
  private ByteBuf takeCorked() {
    ByteBuf frames = owned(corked, !corkCopied);
    corked = null;
    corkCopied = false;
    return frames;
  }

  /**
   * A shared frame's indices are every subscriber's: Netty, which moves them as it sends, gets a
   * duplicate, which releases the shared frame when it is released.
   */
  private static ByteBuf owned(ByteBuf frames, boolean shared) {
    return shared ? frames.duplicate() : frames;
  }

  /**
   * Writes what the kernel takes of {@code frames} to the socket, leaving their indices alone.
   *
   * @return the bytes sent, or -1 when the socket cannot be written to directly
   */
  private int sendDirect(ByteBuf frames) {
    if (!frames.hasMemoryAddress() || !socket.isOpen()) {
      return -1;
    }
    try {
      return socket.sendAddress(frames.memoryAddress(), frames.readerIndex(), frames.writerIndex());
    } catch (IOException e) {
      // The peer is gone: Netty meets the same error on its write and closes the channel.
      return -1;
    }
  }

  private boolean nettyHoldsNothing() {
    return held.totalPendingWriteBytes() == 0;
  }

  private void toPipeline(ByteBuf frame) {
    out.write(frame, out.voidPromise());
    pipelined = true;
  }

  private void written() {
    if (!unflushed) {
      unflushed = true;
      flusher.written(this);
    }
  }

  /** Closes the TCP connection once everything written to it so far has left. */
  void closeWhenWritten() {
    flush();
    out.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
  }

  /**
   * Drops the TCP connection at once, whatever is still queued for it.
   *
   * @return false when it was already closed
   */
  boolean abort() {
    return VertxInternals.abort(out.channel());
  }

  /**
   * Drops the TCP connection if it is still open {@code ms} from now: a close handshake that a
   * client never answers, or never reads, must not hold its socket and slot forever.
   */
  void abortAfter(long ms) {
    out.executor().schedule(this::abortIfOpen, ms, TimeUnit.MILLISECONDS);
  }

  private void abortIfOpen() {
    if (!released && abort()) {
      log.debug("connection {}: no close handshake in time, dropped the TCP connection", id);
    }
  }

  /** The allocator of its socket, for frames of its own. */
  ByteBufAllocator alloc() {
    return out.alloc();
  }

  /** Completes once the TCP connection is closed. */
  ChannelFuture closeFuture() {
    return out.channel().closeFuture();
  }

  /**
   * False while the socket's outbound buffer is over {@code WRITE_QUEUE_BYTES}. (Once the socket is
   * closed this no longer turns false, but its close handler takes it off every symbol, and what is
   * written to it meanwhile is released by Netty.)
   */
  boolean writable() {
    return held.isWritable();
  }

  boolean subscribed(int symbol) {
    return slots != null && slots.containsKey(symbol);
  }

  int subscriptions() {
    return slots == null ? 0 : slots.size();
  }

  /** This connection's position in the symbol's {@link Subscribers}, or -1. */
  int slot(int symbol) {
    Integer slot = slots == null ? null : slots.get(symbol);
    return slot == null ? -1 : slot;
  }

  /** Called by {@link Subscribers} only, as it moves or removes this connection. */
  void slot(int symbol, int slot) {
    if (slot >= 0) {
      if (slots == null) {
        slots = new IntObjectHashMap<>(4);
      }
      slots.put(symbol, Integer.valueOf(slot));
    } else if (slots != null && slots.remove(symbol) != null) {
      outbox.drop(symbol);
    }
  }

  /** The symbols this connection is subscribed to, for unsubscribing them all. */
  int[] subscribedSymbols() {
    if (slots == null) {
      return new int[0];
    }
    int[] out = new int[slots.size()];
    int n = 0;
    for (IntObjectHashMap.PrimitiveEntry<Integer> e : slots.entries()) {
      out[n++] = e.key();
    }
    return out;
  }

  void heard(long nowNanos) {
    lastHeard = nowNanos;
  }

  long nextPingAt() {
    return nextPingAt;
  }

  void nextPingAt(long nanos) {
    nextPingAt = nanos;
  }

  boolean silentFor(long limitNanos, long nowNanos) {
    return nowNanos - lastHeard > limitNanos;
  }

  /** Remembers that the client already saw this symbol up to {@code seq}. */
  void seenUpTo(int symbol, long seq) {
    if (seenUpTo == null) {
      seenUpTo = new HashMap<>();
    }
    seenUpTo.put(symbol, seq);
  }

  /** True for a tick the client already saw; the first newer one ends the hold-back. */
  boolean alreadySeen(int symbol, long seq) {
    if (seenUpTo == null) {
      return false;
    }
    Long seen = seenUpTo.get(symbol);
    if (seen == null) {
      return false;
    }
    if (seq > seen) {
      seenUpTo.remove(symbol);
      if (seenUpTo.isEmpty()) {
        seenUpTo = null;
      }
      return false;
    }
    return true;
  }

  boolean closing() {
    return closeReason != null;
  }

  /**
   * Marks the connection as closing for {@code why}.
   *
   * @return true the first time, when the caller starts the close
   */
  boolean startClosing(Disconnect why) {
    if (closeReason != null) {
      return false;
    }
    closeReason = why;
    return true;
  }

  /**
   * Marks the connection as gone.
   *
   * @return the reason to count it under the first time, null after that
   */
  Disconnect release() {
    if (released) {
      return null;
    }
    released = true;
    return closeReason == null ? Disconnect.CLIENT : closeReason;
  }

  boolean released() {
    return released;
  }
}
