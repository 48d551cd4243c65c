package io.dittofs.controlplane.config;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Locale;

/**
 * Applies {@code logging.level}, {@code logging.format} (text or JSON, one object per line) and
 * {@code logging.output} (stdout, stderr or a file path) to Logback. Call once at start, before
 * the server logs anything of interest.
 */
public final class LoggingSetup {
    static final String PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{24} - %msg%n";

    private LoggingSetup() {
    }

    public static void apply(Config config) {
        apply(config.get(ConfigKey.LOGGING_LEVEL), config.get(ConfigKey.LOGGING_FORMAT), config.get(ConfigKey.LOGGING_OUTPUT));
    }

    public static void apply(String level, String format, String output) {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx)) {
            return;
        }
        ctx.reset();
        Encoder<ILoggingEvent> encoder;
        if (format.toLowerCase(Locale.ROOT).equals("json")) {
            JsonEncoder json = new JsonEncoder();
            json.setWithArguments(false); // the formatted message is enough
            json.setWithMessage(false);
            json.setWithFormattedMessage(true);
            json.setWithMDC(false);
            json.setWithSequenceNumber(false);
            json.setWithNanoseconds(false);
            json.setWithContext(false);
            encoder = json;
        } else {
            PatternLayoutEncoder text = new PatternLayoutEncoder();
            text.setPattern(PATTERN);
            encoder = text;
        }
        encoder.setContext(ctx);
        encoder.start();
        OutputStreamAppender<ILoggingEvent> appender;
        switch (output.toLowerCase(Locale.ROOT)) {
            case "stdout", "stderr" -> {
                ConsoleAppender<ILoggingEvent> c = new ConsoleAppender<>();
                c.setTarget(output.equalsIgnoreCase("stderr") ? "System.err" : "System.out");
                appender = c;
            }
            default -> {
                FileAppender<ILoggingEvent> f = new FileAppender<>();
                f.setFile(output);
                f.setAppend(true);
                appender = f;
            }
        }
        appender.setContext(ctx);
        appender.setName("main");
        appender.setEncoder(encoder);
        appender.start();
        ch.qos.logback.classic.Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.toLevel(level, Level.INFO));
        root.addAppender(appender);
        // HikariCP and the JDBC drivers are chatty at INFO
        ctx.getLogger("com.zaxxer.hikari").setLevel(Level.WARN);
    }
}
