package io.stockstream.archfixture.clean;

import io.stockstream.archfixture.clean.web.Web;

/** Composition root of the clean fixture: it may reach every layer. */
public final class Main {
  private Main() {}

  static Web web() {
    return new Web();
  }
}
