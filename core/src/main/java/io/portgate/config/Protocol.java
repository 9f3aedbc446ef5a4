package io.portgate.config;

/** The transport a listener serves. */
public enum Protocol implements ConfigEnum
{
    /** TCP streams. */
    TCP("tcp"),
    /** UDP datagrams. */
    UDP("udp");

    private final String configName;

    Protocol(final String configName)
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
