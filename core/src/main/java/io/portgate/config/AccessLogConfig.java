package io.portgate.config;

import java.nio.file.Path;

/**
 * The top-level {@code access-log: {path: FILE | stdout, format: text | json}} setting.
 *
 * @param path   the file, appended to and created when missing; null for standard output.
 * @param format the line format.
 */
public record AccessLogConfig(Path path, LogFormat format)
{
    /**
     * Checks the format.
     */
    public AccessLogConfig
    {
        if (format == null)
        {
            throw new IllegalArgumentException("an access log needs a format: text or json");
        }
    }

    /**
     * A log file.
     *
     * @param path   the file.
     * @param format the format.
     * @return the setting.
     */
    public static AccessLogConfig file(final Path path, final LogFormat format)
    {
        if (path == null)
        {
            throw new IllegalArgumentException("an access log file needs a path");
        }
        return new AccessLogConfig(path, format);
    }

    /**
     * Standard output, for systemd's journal or a container's log.
     *
     * @param format the format.
     * @return the setting.
     */
    public static AccessLogConfig stdout(final LogFormat format)
    {
        return new AccessLogConfig(null, format);
    }

    /**
     * Whether the log goes to standard output.
     *
     * @return true for {@code path: stdout}.
     */
    public boolean isStdout()
    {
        return path == null;
    }

    /**
     * The setting as the configuration file writes it.
     *
     * @return e.g. {@code {path: stdout, format: json}}.
     */
    @Override
    public String toString()
    {
        return "{path: " + (path == null ? "stdout" : path.toString()) + ", format: " + format.configName() + "}";
    }
}
