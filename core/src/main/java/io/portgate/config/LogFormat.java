package io.portgate.config;

/** How {@code portgate run} writes a log line. */
public enum LogFormat implements ConfigEnum
{
    /** {@code 2026-11-28T21:30:00.123Z INFO  message}: for people and journald. */
    TEXT,
    /** One JSON object per line, {@code {"time": ..., "level": ..., "logger": ..., "message": ...}}: for collectors. */
    JSON;

    @Override
    public String toString()
    {
        return configName();
    }
}
