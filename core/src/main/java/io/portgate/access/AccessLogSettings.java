package io.portgate.access;

import java.nio.file.Path;

/**
 * Where the access log goes and in which format: the top-level {@code access-log: {path: FILE | stdout, format:
 * text | json}} setting.
 *
 * @param path   the file, appended to and created when missing; null for standard output.
 * @param format the line format.
 */
public record AccessLogSettings(Path path, AccessLogFormat format)
{
    /**
     * Checks the format.
     */
    public AccessLogSettings
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
     * @return the settings.
     */
    public static AccessLogSettings file(final Path path, final AccessLogFormat format)
    {
        if (path == null)
        {
            throw new IllegalArgumentException("an access log file needs a path");
        }
        return new AccessLogSettings(path, format);
    }

    /**
     * Standard output, for systemd's journal or a container's log.
     *
     * @param format the format.
     * @return the settings.
     */
    public static AccessLogSettings stdout(final AccessLogFormat format)
    {
        return new AccessLogSettings(null, format);
    }

    /**
     * The settings of a configuration's {@code access-log}.
     *
     * @param config the setting, or null.
     * @return the settings, or null when there is no access log.
     */
    public static AccessLogSettings of(final io.portgate.config.AccessLogConfig config)
    {
        if (config == null)
        {
            return null;
        }
        final AccessLogFormat format = config.format() == io.portgate.config.LogFormat.JSON ? AccessLogFormat.JSON :
            AccessLogFormat.TEXT;
        return config.isStdout() ? stdout(format) : file(config.path(), format);
    }

    /** @return the setting as the configuration file writes it, e.g. {@code {path: stdout, format: json}}. */
    @Override
    public String toString()
    {
        return "{path: " + (path == null ? "stdout" : path.toString()) + ", format: " + format.configName() + "}";
    }

    /** @return whether the log goes to standard output. */
    public boolean isStdout()
    {
        return path == null;
    }
}
