package io.stockstream.stream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.stockstream.market.MarketData;
import io.stockstream.protocol.ProtocolJson;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The first frame of every connection, {@code welcome}: a head of its own (its id, the epoch, the
 * time) and then the market's list of symbols and the market's state, encoded once and shared by
 * every connection's welcome, so a handshake does not encode thousands of symbols again.
 */
final class Welcome {

  private final MarketData market;
  private final ByteBufAllocator alloc;
  private final ByteBuf symbols;
  private final ByteBuf[] tails = new ByteBuf[2];

  Welcome(MarketData market, ByteBufAllocator alloc) {
    this.market = market;
    this.alloc = alloc;
    this.symbols = WireFrame.constant(ProtocolJson.welcomeSymbols(market.symbols()));
    for (boolean open : new boolean[] {false, true}) {
      tails[open ? 1 : 0] = WireFrame.constant(ProtocolJson.welcomeTail(open));
    }
  }

  /** Writes the welcome of {@code c}; the caller flushes. */
  void writeTo(Connection c) {
    ByteBuf tail = tails[market.marketOpen() ? 1 : 0];
    c.write(
        WireFrame.head(
            alloc,
            ProtocolJson.welcomeHead(c.id.toString(), market.epoch(), System.currentTimeMillis()),
            symbols.readableBytes(),
            tail.readableBytes()));
    c.write(symbols.duplicate());
    c.write(tail.duplicate());
  }

  /**
   * A random (version 4) UUID from the loop's own generator: ids need to be unique, not secret, and
   * {@link UUID#randomUUID} draws on the node-wide SecureRandom on every handshake.
   */
  static UUID connectionId() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long high = (random.nextLong() & ~0xF000L) | 0x4000L;
    long low = (random.nextLong() & ~(0xC000L << 48)) | (0x8000L << 48);
    return new UUID(high, low);
  }
}
