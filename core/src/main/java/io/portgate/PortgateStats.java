package io.portgate;

import java.util.List;

/**
 * A snapshot of the balancer's counters. Each counter is read without stopping the loops, so counters of one
 * snapshot may be a few events apart.
 *
 * @param listeners             the TCP listeners, in configuration order.
 * @param bufferMemoryUsed      bytes of connection buffers reserved now.
 * @param bufferMemoryHighWater the most bytes of connection buffers ever reserved at once.
 * @param bufferMemoryLimit     the configured limit on them.
 * @param errors                unexpected errors the loops reported.
 * @param udpListeners          the UDP listeners, in configuration order.
 */
public record PortgateStats(
    List<ListenerStats> listeners,
    long bufferMemoryUsed,
    long bufferMemoryHighWater,
    long bufferMemoryLimit,
    long errors,
    List<UdpListenerStats> udpListeners)
{
    /**
     * Copies the lists so the record stays immutable.
     */
    public PortgateStats
    {
        listeners = List.copyOf(listeners);
        udpListeners = List.copyOf(udpListeners);
    }

    /**
     * A snapshot without UDP listeners, as before they were served.
     *
     * @param listeners             the TCP listeners.
     * @param bufferMemoryUsed      bytes of connection buffers reserved now.
     * @param bufferMemoryHighWater the most bytes of connection buffers ever reserved at once.
     * @param bufferMemoryLimit     the configured limit on them.
     * @param errors                unexpected errors the loops reported.
     */
    public PortgateStats(
        final List<ListenerStats> listeners,
        final long bufferMemoryUsed,
        final long bufferMemoryHighWater,
        final long bufferMemoryLimit,
        final long errors)
    {
        this(listeners, bufferMemoryUsed, bufferMemoryHighWater, bufferMemoryLimit, errors, List.of());
    }

    /**
     * A UDP listener's counters by name.
     *
     * @param name the listener's name.
     * @return its counters.
     * @throws IllegalArgumentException when there is no UDP listener of that name.
     */
    public UdpListenerStats udpListener(final String name)
    {
        for (final UdpListenerStats listener : udpListeners)
        {
            if (listener.name().equals(name))
            {
                return listener;
            }
        }
        throw new IllegalArgumentException("no UDP listener named '" + name + "'");
    }

    /**
     * A listener's counters by name.
     *
     * @param name the listener's name.
     * @return its counters.
     * @throws IllegalArgumentException when there is no TCP listener of that name.
     */
    public ListenerStats listener(final String name)
    {
        for (final ListenerStats listener : listeners)
        {
            if (listener.name().equals(name))
            {
                return listener;
            }
        }
        throw new IllegalArgumentException("no TCP listener named '" + name + "'");
    }
}
