package io.portgate.config;

/** The transport a listener serves. */
public enum Protocol implements ConfigEnum
{
    /** TCP streams. */
    TCP,
    /** UDP datagrams. */
    UDP;

    @Override
    public String toString()
    {
        return configName();
    }
}
