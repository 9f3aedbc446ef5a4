package io.portgate.cli;

import io.portgate.config.LogFormat;
import io.portgate.config.LogLevel;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.List;
import java.util.logging.Level;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How a log line is written: the timestamp, the level, one line whatever the message holds, JSON escaped. */
class LogSetupTest
{
    private static final Instant AT = Instant.parse("2026-11-28T21:30:00.123456Z");

    @Test
    void textIsTimestampLevelAndMessageOnOneLine()
    {
        assertEquals("2026-11-28T21:30:00.123Z WARN  two lines: one more" + System.lineSeparator(),
            LogSetup.line(LogFormat.TEXT, AT, "WARN", "io.portgate", "two lines:\none more", null));
        assertEquals("2026-11-28T21:30:00.000Z ERROR failed: java.lang.IllegalStateException: why" +
            System.lineSeparator(), LogSetup.line(LogFormat.TEXT, Instant.parse("2026-11-28T21:30:00Z"), "ERROR",
            "io.portgate", "failed", new IllegalStateException("why")));
    }

    @Test
    void jsonIsOneEscapedObjectPerLine()
    {
        assertEquals("{\"time\":\"2026-11-28T21:30:00.123Z\",\"level\":\"INFO\",\"logger\":\"io.portgate.dns\"," +
            "\"message\":\"a \\\"quoted\\\" name\\nand a newline\",\"error\":\"java.io.IOException: x\"}" +
            System.lineSeparator(), LogSetup.line(LogFormat.JSON, AT, "INFO", "io.portgate.dns",
            "a \"quoted\" name\nand a newline", new java.io.IOException("x")));
    }

    @Test
    void levelsAreTheSettingsNames()
    {
        assertEquals(List.of("ERROR", "WARN", "INFO", "DEBUG", "DEBUG"), List.of(LogSetup.levelName(Level.SEVERE),
            LogSetup.levelName(Level.WARNING), LogSetup.levelName(Level.INFO), LogSetup.levelName(Level.FINE),
            LogSetup.levelName(Level.FINEST)));
        assertEquals(Level.WARNING, LogSetup.threshold(LogLevel.WARN));
        assertEquals(Level.ALL, LogSetup.threshold(LogLevel.DEBUG));
    }

    @Test
    void runsOwnLinesTakeALevelAndTheThreshold()
    {
        final StringWriter text = new StringWriter();
        final LogLines.Output out = LogLines.over(new PrintWriter(text));
        out.configure(LogLevel.WARN, LogFormat.TEXT);
        out.println("f.yaml:3:5: note: below warn, dropped");
        out.println("f.yaml:4:5: warning: kept");
        out.println("f.yaml:5:5: error: an error");
        out.error("portgate run: why it stops");
        final List<String> lines = text.toString().lines().toList();
        assertEquals(3, lines.size(), text.toString());
        assertTrue(lines.get(0).matches("\\S+Z WARN  f\\.yaml:4:5: warning: kept"), lines.get(0));
        assertTrue(lines.get(1).matches("\\S+Z ERROR f\\.yaml:5:5: error: an error"), lines.get(1));
        assertTrue(lines.get(2).matches("\\S+Z ERROR portgate run: why it stops"), lines.get(2));
    }
}
