package io.portgate.config;

/** Which datagrams of a UDP listener go to the same target. */
public enum Affinity implements ConfigEnum
{
    /** One target per client address and port. */
    FLOW,
    /** One target per client IP address. */
    CLIENT,
    /** Every datagram picks anew; replies still return to the sender. */
    PACKET;

    @Override
    public String toString()
    {
        return configName();
    }
}
