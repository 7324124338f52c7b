package io.stockstream.web;

import io.stockstream.metrics.Meters;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.ServerSSLOptions;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves a certificate renewed on disk without a restart: reads the PEM files every interval and,
 * when their content changed and the new pair is valid, hands it to the public port's servers.
 */
public final class CertificateReloader extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(CertificateReloader.class);

  private final Path certFile;
  private final Path keyFile;
  private final long intervalMs;
  private final ServerSSLOptions template;
  private final List<HttpServer> servers;
  private final Meters meters;
  private final BooleanSupplier draining;

  // Touched only on this verticle's context: the timer, the file reads and the updates all call
  // back there, and one check runs at a time (the next timer is set when a check ends).
  private PemKeyPair served;
  private Object refused;

  /**
   * What the last check could not load, not yet reported: a renewal writes the certificate and the
   * key one after the other, and a check between the two reads a pair that does not belong
   * together. Only what is read the same on the next check too is refused.
   */
  private Object unsettled;

  private long timer = -1;
  private boolean stopped;

  /**
   * @param template the SSL options the servers were started with (the profile, and the pair read
   *     at start, which is the one served until the files change)
   * @param servers every instance's server on the public port, listening
   */
  public CertificateReloader(
      Path certFile,
      Path keyFile,
      long intervalMs,
      ServerSSLOptions template,
      List<HttpServer> servers,
      Meters meters,
      BooleanSupplier draining) {
    this.certFile = certFile;
    this.keyFile = keyFile;
    this.intervalMs = intervalMs;
    this.template = template.copy();
    this.servers = List.copyOf(servers);
    this.meters = meters;
    this.draining = draining;
    PemKeyCertOptions initial = (PemKeyCertOptions) template.getKeyCertOptions();
    this.served = new PemKeyPair(certFile, initial.getCertValue(), keyFile, initial.getKeyValue());
  }

  @Override
  public Future<?> start() {
    schedule();
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    vertx.cancelTimer(timer);
    return Future.succeededFuture();
  }

  private void schedule() {
    if (!stopped) {
      timer = vertx.setTimer(intervalMs, id -> check().onComplete(ar -> schedule()));
    }
  }

  /** One look at the files; completes when any reload it started has ended, well or not. */
  private Future<Void> check() {
    // The servers are closing: a context built now would serve nobody.
    if (draining.getAsBoolean()) {
      return Future.succeededFuture();
    }
    return PemKeyPair.read(vertx, certFile, keyFile)
        .transform(
            ar ->
                ar.succeeded()
                    ? consider(ar.result())
                    // Missing for a moment (replaced by a copy, not a rename) is refused like a
                    // bad pair: the old certificate stays until a good pair is read.
                    : refuse(
                        ar.cause().toString(),
                        "cannot read the PEM files: " + ar.cause().getMessage()));
  }

  private Future<Void> consider(PemKeyPair pair) {
    // Content, not modification times: a Kubernetes secret changes by swapping the ..data
    // symlink, which leaves the mtime of the path we were given as it was.
    if (pair.equals(served)) {
      refused = null;
      unsettled = null;
      return Future.succeededFuture();
    }
    if (pair.equals(refused)) {
      // Logged and counted once: the same bytes cannot pass on a second look.
      return Future.succeededFuture();
    }
    return vertx
        .executeBlocking(() -> pair.check(vertx))
        .compose(leaf -> update(pair).map(leaf))
        .transform(
            ar -> {
              if (ar.succeeded()) {
                served(pair, ar.result());
                return Future.succeededFuture();
              }
              Throwable e = ar.cause();
              return refuse(pair, e instanceof PemKeyPair.Invalid ? e.getMessage() : e.toString());
            });
  }

  /**
   * On a shared port, Vert.x forwards each instance's update to the server that bound the port,
   * whose context every instance reads at each new connection; the first call builds it, the others
   * find it cached. Updating them all keeps that detail from mattering.
   */
  private Future<Void> update(PemKeyPair pair) {
    ServerSSLOptions options = template.copy().setKeyCertOptions(pair.options());
    return Future.all(servers.stream().map(s -> s.updateSSLOptions(options)).toList()).mapEmpty();
  }

  private void served(PemKeyPair pair, X509Certificate leaf) {
    served = pair;
    refused = null;
    unsettled = null;
    meters.tlsReload(true);
    log.info(
        "TLS certificate reloaded from {}: {}, valid until {}",
        certFile,
        leaf.getSubjectX500Principal().getName(),
        leaf.getNotAfter().toInstant());
  }

  /**
   * {@code what} is the pair that did not load, or the read error: refused once it is read the same
   * on two checks in a row, and then not logged again.
   */
  private Future<Void> refuse(Object what, String reason) {
    if (what.equals(refused)) {
      return Future.succeededFuture();
    }
    if (!what.equals(unsettled)) {
      unsettled = what;
      return Future.succeededFuture();
    }
    unsettled = null;
    refused = what;
    meters.tlsReload(false);
    // One line: the reason names the file, never its content.
    log.warn(
        "TLS certificate not reloaded: {}; still serving the previous one",
        reason.replaceAll("[\\r\\n]+", " "));
    return Future.succeededFuture();
  }
}
