package io.portgate.cli;

import io.portgate.config.LogFormat;
import io.portgate.config.LogLevel;
import io.portgate.util.Json;

import java.io.PrintStream;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * How {@code portgate run} writes its log: every line to stderr with an ISO-8601 UTC timestamp (milliseconds) and a
 * level, as text ({@code 2026-11-28T21:30:00.123Z INFO  message}) or as one JSON object per line
 * ({@code {"time": ..., "level": ..., "logger": ..., "message": ...}}, with {@code "error"} when a record carries an
 * exception), from {@code log-level} up. The library logs through {@link System.Logger}, which reaches
 * {@code java.util.logging}'s root logger; this replaces the root's handlers. An operator who configured
 * {@code java.util.logging} (its {@code java.util.logging.config.file} or {@code .config.class} property) keeps that.
 */
final class LogSetup
{
    private static final DateTimeFormatter TIME = new DateTimeFormatterBuilder().appendInstant(3).toFormatter()
        .withZone(ZoneOffset.UTC);

    private LogSetup()
    {
    }

    /**
     * Sends every log record from {@code level} up to {@code err} in {@code format}.
     *
     * @param level  the least severe record written.
     * @param format text or JSON.
     * @param err    where the lines go.
     */
    static void apply(final LogLevel level, final LogFormat format, final PrintStream err)
    {
        if (System.getProperty("java.util.logging.config.file") != null ||
            System.getProperty("java.util.logging.config.class") != null)
        {
            return;
        }
        final Logger root = Logger.getLogger("");
        for (final Handler handler : root.getHandlers())
        {
            root.removeHandler(handler);
        }
        final Level threshold = threshold(level);
        final Handler handler = new LineHandler(new LineFormat(format), err);
        handler.setLevel(threshold);
        root.addHandler(handler);
        root.setLevel(threshold);
    }

    /** The {@code java.util.logging} level a {@code log-level} starts at. */
    static Level threshold(final LogLevel level)
    {
        return switch (level)
        {
            case ERROR -> Level.SEVERE;
            case WARN -> Level.WARNING;
            case INFO -> Level.INFO;
            case DEBUG -> Level.ALL;
        };
    }

    /** The level a line shows: {@code ERROR}, {@code WARN}, {@code INFO} or {@code DEBUG}, as the setting names them. */
    static String levelName(final Level level)
    {
        final int value = level.intValue();
        return value >= Level.SEVERE.intValue() ? "ERROR" : value >= Level.WARNING.intValue() ? "WARN" :
            value >= Level.INFO.intValue() ? "INFO" : "DEBUG";
    }

    /**
     * One log line, as both the library's records and {@code run}'s own lines ({@link LogLines}) are written.
     *
     * @param format  text or JSON.
     * @param time    when.
     * @param level   {@code ERROR}, {@code WARN}, {@code INFO} or {@code DEBUG}.
     * @param logger  who logged it.
     * @param message the message.
     * @param error   the exception it carries, or null.
     * @return the line, ending in a line separator.
     */
    static String line(final LogFormat format, final Instant time, final String level, final String logger,
        final String message, final Throwable error)
    {
        if (format == LogFormat.JSON)
        {
            final Map<String, Object> line = new LinkedHashMap<>();
            line.put("time", TIME.format(time));
            line.put("level", level);
            line.put("logger", logger);
            line.put("message", message);
            if (error != null)
            {
                line.put("error", String.valueOf(error));
            }
            return Json.write(line) + System.lineSeparator();
        }
        final StringBuilder line = new StringBuilder(128).append(TIME.format(time)).append(' ').append(level)
            .append(" ".repeat(Math.max(1, 6 - level.length()))).append(oneLine(message));
        if (error != null)
        {
            line.append(": ").append(oneLine(String.valueOf(error)));
        }
        return line.append(System.lineSeparator()).toString();
    }

    /** A record as {@link #line} writes it. */
    private static final class LineFormat extends Formatter
    {
        private final LogFormat format;

        LineFormat(final LogFormat format)
        {
            this.format = format;
        }

        @Override
        public String format(final LogRecord record)
        {
            return line(format, record.getInstant(), levelName(record.getLevel()), record.getLoggerName(),
                formatMessage(record), record.getThrown());
        }
    }

    // A message with a line break would split one record over lines a reader takes as several.
    private static String oneLine(final String text)
    {
        return text.indexOf('\n') < 0 && text.indexOf('\r') < 0 ? text : text.replace("\r", "").replace('\n', ' ');
    }

    /** Writes each record as one line and flushes it at once, so a line is never held back or torn. */
    private static final class LineHandler extends Handler
    {
        private final PrintStream err;

        LineHandler(final Formatter formatter, final PrintStream err)
        {
            this.err = err;
            setFormatter(formatter);
        }

        @Override
        public void publish(final LogRecord record)
        {
            if (!isLoggable(record))
            {
                return;
            }
            final String line;
            try
            {
                line = getFormatter().format(record);
            }
            catch (final RuntimeException ex)
            {
                reportError(null, ex, java.util.logging.ErrorManager.FORMAT_FAILURE);
                return;
            }
            synchronized (err)
            {
                err.print(line);
                err.flush();
            }
        }

        @Override
        public void flush()
        {
            err.flush();
        }

        @Override
        public void close()
        {
            flush();
        }
    }
}
