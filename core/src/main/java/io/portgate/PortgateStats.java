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
 */
public record PortgateStats(
    List<ListenerStats> listeners,
    long bufferMemoryUsed,
    long bufferMemoryHighWater,
    long bufferMemoryLimit,
    long errors)
{
    /**
     * Copies the list so the record stays immutable.
     */
    public PortgateStats
    {
        listeners = List.copyOf(listeners);
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
