package io.portgate.config;

/** How an active health probe talks to a target. */
public enum HealthProtocol implements ConfigEnum
{
    /** A TCP connect that completes. */
    TCP("tcp"),
    /** A datagram that gets the expected reply; an ICMP port-unreachable is a failure. */
    UDP("udp"),
    /** An HTTP GET whose status lies in the expected range. */
    HTTP("http");

    private final String configName;

    HealthProtocol(final String configName)
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
