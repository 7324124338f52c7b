package io.stockstream;

/** Every event-bus address of the service, in one place. */
public final class Addresses {

  /** Each tick, once, as a {@link io.stockstream.feed.TickEvent}. */
  public static final String TICKS = "stockstream.ticks";

  /** Market opened or closed, as a {@link io.stockstream.feed.MarketEvent}. */
  public static final String MARKET = "stockstream.market";

  /** Viewer counts that changed, as a {@link io.stockstream.stream.PresenceEvent}. */
  public static final String PRESENCE = "stockstream.presence";

  private Addresses() {}
}
