package io.portgate.config;

/** The least severe log line {@code portgate run} writes. */
public enum LogLevel implements ConfigEnum
{
    /** Errors only. */
    ERROR,
    /** Errors and warnings. */
    WARN,
    /** Errors, warnings and what the balancer does (start, stop, reloads, target state changes): the default. */
    INFO,
    /** Everything, reload details included. */
    DEBUG;

    @Override
    public String toString()
    {
        return configName();
    }
}
