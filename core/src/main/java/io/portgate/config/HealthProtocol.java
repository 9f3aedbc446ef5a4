package io.portgate.config;

/** How an active health probe talks to a target. */
public enum HealthProtocol implements ConfigEnum
{
    /** A TCP connect that completes. */
    TCP,
    /** A datagram that gets the expected reply; an ICMP port-unreachable is a failure. */
    UDP,
    /** An HTTP GET whose status lies in the expected range. */
    HTTP;

    @Override
    public String toString()
    {
        return configName();
    }
}
