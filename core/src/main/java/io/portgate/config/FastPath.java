package io.portgate.config;

/** Whether a Panama fast path is used. */
public enum FastPath implements ConfigEnum
{
    /** Used when the start-up probe finds it works, plain NIO otherwise. */
    AUTO("auto"),
    /** Required: start fails when it does not work. */
    ON("on"),
    /** Never used: plain NIO. */
    OFF("off");

    private final String configName;

    FastPath(final String configName)
    {
        this.configName = configName;
    }

    @Override
    public String configName()
    {
        return configName;
    }

    @Override
    public String toString()
    {
        return configName;
    }
}
