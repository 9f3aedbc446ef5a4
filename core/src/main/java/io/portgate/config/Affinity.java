package io.portgate.config;

/** Which datagrams of a UDP listener go to the same target. */
public enum Affinity implements ConfigEnum
{
    /** One target per client address and port. */
    FLOW("flow"),
    /** One target per client IP address. */
    CLIENT("client"),
    /** Every datagram picks anew; replies still return to the sender. */
    PACKET("packet");

    private final String configName;

    Affinity(final String configName)
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
