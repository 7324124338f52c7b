package io.stockstream.protocol;

/** Every event-bus address of the service, in one place. */
public final class Addresses {

  /** Each step of the feed, once, as a {@link io.stockstream.protocol.TickBatch}. */
  public static final String TICKS = "stockstream.ticks";

  /** Market opened or closed, as a {@link io.stockstream.protocol.MarketEvent}. */
  public static final String MARKET = "stockstream.market";

  /** Viewer counts that changed, as a {@link io.stockstream.protocol.PresenceBatch}. */
  public static final String PRESENCE = "stockstream.presence";

  private Addresses() {}
}
