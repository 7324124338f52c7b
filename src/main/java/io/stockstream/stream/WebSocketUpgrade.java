package io.stockstream.stream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.websocketx.Utf8FrameValidator;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.stockstream.protocol.AcceptKey;
import io.vertx.core.http.HttpServerRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Turns the connection of an accepted handshake into a WebSocket of RFC 6455, version 13, without
 * extensions or subprotocol: the {@code 101}, then a pipeline of Netty's frame decoder, its UTF-8
 * validator and a {@link WebSocketHandler}, and nothing else per socket. One per event loop.
 */
final class WebSocketUpgrade {

  static final String DECODER = "ws-decoder";
  static final String UTF8_VALIDATOR = "ws-utf8";
  static final String HANDLER = "ws-handler";

  private static final byte[] HEAD =
      ("HTTP/1.1 101 Switching Protocols\r\n"
              + "Upgrade: websocket\r\n"
              + "Connection: Upgrade\r\n"
              + "Sec-WebSocket-Accept: ")
          .getBytes(StandardCharsets.US_ASCII);

  private static final byte[] END = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

  private final MessageDigest sha1;
  private final WebSocketDecoderConfig decoding;

  /** {@code maxFrameBytes}: a larger client frame fails the connection with 1009. */
  WebSocketUpgrade(int maxFrameBytes) {
    try {
      sha1 = MessageDigest.getInstance("SHA-1");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM has no SHA-1, which RFC 6455 requires", e);
    }
    decoding =
        WebSocketDecoderConfig.newBuilder()
            .maxFramePayloadLength(maxFrameBytes)
            .expectMaskedFrames(true)
            .allowMaskMismatch(false)
            .allowExtensions(false)
            // The handler answers a violation itself, after the frames it owes the client.
            .closeOnProtocolViolation(false)
            .withUTF8Validator(false)
            .build();
  }

  /**
   * Upgrades {@code req}, whose handshake the gate has checked, on its event loop. The {@code 101}
   * is written, not flushed: it leaves with the welcome, when the loop flushes the connection.
   *
   * @return where frames for the client are written (they meet only TLS on their way), or null when
   *     the client has already gone
   */
  ChannelHandlerContext upgrade(HttpServerRequest req, WebSocketHandler handler) {
    String key = req.getHeader("Sec-WebSocket-Key").trim();
    byte[] accept = AcceptKey.of(key, sha1).getBytes(StandardCharsets.US_ASCII);
    ByteBuf switching =
        ByteBufAllocator.DEFAULT
            .directBuffer(HEAD.length + accept.length + END.length)
            .writeBytes(HEAD)
            .writeBytes(accept)
            .writeBytes(END);
    Map<String, ChannelHandler> handlers = new LinkedHashMap<>();
    handlers.put(DECODER, new WebSocket13FrameDecoder(decoding));
    handlers.put(UTF8_VALIDATOR, new Utf8FrameValidator(false));
    handlers.put(HANDLER, handler);
    return VertxInternals.takeOver(req, switching, handlers);
  }
}
