package io.dittofs.protocols.nlm;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

import java.util.List;

/** Captures one class's log lines at INFO and above (the test configuration keeps io.dittofs at ERROR). Not thread-safe. */
final class LogCapture implements AutoCloseable {
    private final Logger log;
    private final Level level;
    private final ListAppender<ILoggingEvent> seen = new ListAppender<>();

    private LogCapture(Class<?> c) {
        log = (Logger) LoggerFactory.getLogger(c);
        level = log.getLevel();
        seen.start();
        log.setLevel(Level.INFO);
        log.setAdditive(false);
        log.addAppender(seen);
    }

    static LogCapture of(Class<?> c) {
        return new LogCapture(c);
    }

    List<String> messages() {
        return seen.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Override
    public void close() {
        log.detachAppender(seen);
        log.setLevel(level);
        log.setAdditive(true);
    }
}
