package io.stockstream.http;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.LoggerFactory;

/**
 * Everything logged through logback while it is open, with every logger lowered to DEBUG, and a
 * search of those events for strings that must not be there.
 */
final class LogCapture implements AutoCloseable {

  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  private final Map<Logger, Level> saved = new HashMap<>();
  private final Logger root;

  LogCapture() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    // logback.xml raises io.vertx, io.netty and a few others above DEBUG: lower them all.
    for (Logger logger : context.getLoggerList()) {
      if (logger.getLevel() != null) {
        saved.put(logger, logger.getLevel());
        logger.setLevel(Level.DEBUG);
      }
    }
    root.setLevel(Level.DEBUG);
    appender.setContext(context);
    appender.start();
    root.addAppender(appender);
  }

  List<ILoggingEvent> events() {
    synchronized (appender) {
      return new ArrayList<>(appender.list);
    }
  }

  /** One line per place where a logged event carries one of {@code secrets}. */
  List<String> leaks(Collection<String> secrets) {
    List<String> found = new ArrayList<>();
    for (ILoggingEvent e : events()) {
      List<String> texts = new ArrayList<>();
      texts.add(e.getMessage());
      texts.add(e.getFormattedMessage());
      if (e.getArgumentArray() != null) {
        for (Object arg : e.getArgumentArray()) {
          texts.add(String.valueOf(arg));
        }
      }
      for (IThrowableProxy t = e.getThrowableProxy(); t != null; t = t.getCause()) {
        texts.add(t.getMessage());
      }
      texts.add(String.valueOf(e.getMDCPropertyMap()));
      for (String text : texts) {
        for (String secret : secrets) {
          if (text != null && text.contains(secret)) {
            String shown = secret.length() > 24 ? secret.substring(0, 24) + "…" : secret;
            found.add(e.getLoggerName() + " " + e.getLevel() + " carries " + shown);
          }
        }
      }
    }
    return found;
  }

  @Override
  public void close() {
    root.detachAppender(appender);
    appender.stop();
    saved.forEach(Logger::setLevel);
  }
}
