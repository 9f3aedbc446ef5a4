package io.portgate.cli;

import io.portgate.config.LogFormat;
import io.portgate.config.LogLevel;

import java.io.PrintWriter;
import java.io.Writer;
import java.time.Instant;

/**
 * {@code portgate run}'s own lines to stderr (the file's diagnostics, a rejected reload, why it does not start) as
 * log lines: each line printed to it is written to the stream under it with a timestamp and a level, in the
 * configured {@code log-format}, and dropped below {@code log-level}, as the library's records are ({@link LogSetup}).
 * The level of a line: {@code ERROR} for a diagnostic that is an error and for {@link #error}, {@code INFO} for a
 * note, {@code WARN} for the rest (a warning, a rejected reload).
 */
final class LogLines extends Writer
{
    private static final String LOGGER = "io.portgate.cli";

    private final PrintWriter under;
    private final StringBuilder pending = new StringBuilder();
    private volatile LogLevel level = io.portgate.config.PortgateConfig.DEFAULT_LOG_LEVEL;
    private volatile LogFormat format = io.portgate.config.PortgateConfig.DEFAULT_LOG_FORMAT;
    private boolean nextIsError;

    private LogLines(final PrintWriter under)
    {
        super();
        this.under = under;
    }

    /**
     * A writer whose lines become log lines on {@code under}.
     *
     * @param under where they go.
     * @return the writer, flushing at every line.
     */
    static Output over(final PrintWriter under)
    {
        final LogLines lines = new LogLines(under);
        return new Output(lines);
    }

    /** The writer {@code run} prints to, and the settings it takes once the file is read. */
    static final class Output extends PrintWriter
    {
        private final LogLines lines;

        private Output(final LogLines lines)
        {
            super(lines, true);
            this.lines = lines;
        }

        /**
         * Takes the file's {@code log-level} and {@code log-format}.
         *
         * @param level  the least severe line written.
         * @param format text or JSON.
         */
        void configure(final LogLevel level, final LogFormat format)
        {
            lines.level = level;
            lines.format = format;
        }

        /**
         * Prints a line at level {@code ERROR}: why {@code run} stops.
         *
         * @param line the line.
         */
        void error(final String line)
        {
            synchronized (lock)
            {
                lines.nextIsError = true;
                println(line);
            }
        }
    }

    @Override
    public void write(final char[] buffer, final int offset, final int length)
    {
        synchronized (lock)
        {
            for (int i = offset; i < offset + length; i++)
            {
                final char c = buffer[i];
                if (c == '\n')
                {
                    emit();
                }
                else if (c != '\r')
                {
                    pending.append(c);
                }
            }
        }
    }

    private void emit()
    {
        final String line = pending.toString();
        pending.setLength(0);
        final String levelName = nextIsError || line.contains(": error: ") || line.endsWith("; not starting") ?
            "ERROR" : line.contains(": note: ") ? "INFO" : "WARN";
        nextIsError = false;
        if (LogSetup.threshold(level).intValue() <= LogSetup.threshold(levelOf(levelName)).intValue())
        {
            under.print(LogSetup.line(format, Instant.now(), levelName, LOGGER, line, null));
            under.flush();
        }
    }

    private static LogLevel levelOf(final String name)
    {
        return switch (name)
        {
            case "ERROR" -> LogLevel.ERROR;
            case "WARN" -> LogLevel.WARN;
            case "INFO" -> LogLevel.INFO;
            default -> LogLevel.DEBUG;
        };
    }

    @Override
    public void flush()
    {
        under.flush();
    }

    @Override
    public void close()
    {
        synchronized (lock)
        {
            if (!pending.isEmpty())
            {
                emit();
            }
            under.flush();
        }
    }
}
