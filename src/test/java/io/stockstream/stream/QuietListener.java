package io.stockstream.stream;

import io.netty.buffer.ByteBuf;

/**
 * A socket listener for tests that need only some of a socket's events: every event it does not
 * override is ignored.
 */
class QuietListener implements WebSocketHandler.Listener {

  @Override
  public void onText(Connection c, String text) {}

  @Override
  public void onBinary(Connection c, ByteBuf message) {}

  @Override
  public void onMessageTooBig(Connection c) {}

  @Override
  public void onClosing(Connection c) {}

  @Override
  public void onWritable(Connection c) {}

  @Override
  public void onClosed(Connection c) {}

  @Override
  public void onError(Connection c, Throwable t) {}
}
