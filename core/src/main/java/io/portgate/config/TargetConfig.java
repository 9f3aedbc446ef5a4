package io.portgate.config;

import java.net.InetAddress;

/**
 * One target of a pool: an address and, unless it takes the pool's, its own internal port or ports.
 *
 * @param host           the host as written.
 * @param address        the resolved address.
 * @param ports          its own port or ports, or null to take the pool's.
 * @param weight         its weight, at least 1; every balancing policy honours it.
 * @param position       where the target is written.
 * @param weightPosition where its weight is written.
 */
public record TargetConfig(
    String host, InetAddress address, PortRange ports, int weight, Position position, Position weightPosition)
{
    /** The largest weight: weights are relative, and a cap keeps a pool's total weight far from overflow. */
    public static final int MAX_WEIGHT = 10_000;

    /**
     * A target with weight 1.
     *
     * @param address the address.
     * @param ports   its own ports or null.
     * @return the target.
     */
    public static TargetConfig of(final InetAddress address, final PortRange ports)
    {
        return new TargetConfig(address.getHostAddress(), address, ports, 1, Position.NONE, Position.NONE);
    }

    /**
     * The internal ports this target listens on within a pool.
     *
     * @param pool the pool holding it.
     * @return its own ports or the pool's.
     */
    public PortRange effectivePorts(final PoolConfig pool)
    {
        return ports != null ? ports : pool.ports();
    }

    /**
     * The target as {@code address:port(s)} within a pool.
     *
     * @param pool the pool holding it.
     * @return the label used in messages and tables.
     */
    public String label(final PoolConfig pool)
    {
        return Endpoint.literal(address) + ":" + effectivePorts(pool);
    }
}
