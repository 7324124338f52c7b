package io.stockstream.archfixture.oldverticle.market;

import io.vertx.core.AbstractVerticle;

/** A verticle in the Vert.x 4 style that the main code left behind. */
public final class Feed extends AbstractVerticle {}
