package io.portgate.config;

/** Whether a Panama fast path is used. */
public enum FastPath implements ConfigEnum
{
    /** Used when the start-up probe finds it works, plain NIO otherwise. */
    AUTO,
    /** Required: start fails when it does not work. */
    ON,
    /** Never used: plain NIO. */
    OFF;

    @Override
    public String toString()
    {
        return configName();
    }
}
