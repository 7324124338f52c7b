package io.stockstream.stream;

import io.netty.buffer.ByteBuf;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.http.impl.ws.WebSocketFrameImpl;
import io.vertx.core.internal.buffer.BufferInternal;

/**
 * Writes one encoded text frame to many sockets without copying or re-encoding it per socket.
 *
 * <p>Vert.x's public API only makes text frames from a {@code String}, which it encodes again for
 * every socket; its frame implementation also takes bytes, which it wraps as unreleasable, so the
 * same heap buffer can back every write. Each write gets its own slice, hence its own indices.
 */
final class SharedFrame {

  private SharedFrame() {}

  /**
   * Queues the frame on the socket. A write that fails means the socket is closing, which its close
   * handler deals with, so the write's own future is not needed.
   */
  static void write(ServerWebSocket ws, Buffer utf8Json) {
    ByteBuf bytes = ((BufferInternal) utf8Json).getByteBuf();
    ws.writeFrame(new WebSocketFrameImpl(WebSocketFrameType.TEXT, bytes, true));
  }
}
