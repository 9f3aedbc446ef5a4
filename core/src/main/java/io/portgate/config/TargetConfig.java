package io.portgate.config;

import java.net.InetAddress;

/**
 * One target of a pool: an address and, unless it takes the pool's, its own internal port or ports.
 *
 * <p>A target written with a host name ({@link #name()} not null) stands for every address the name resolves to.
 * The parser leaves its address null; loading the configuration looks the name up and fills in the first of its
 * addresses ({@code io.portgate.dns.TargetNames}), and {@link #withAddress} makes the target of any other.
 *
 * @param host           the host as written: an IP address, or the host name the target came from.
 * @param address        the address; for a target named by host name, null until the name has resolved.
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
     * The host name this target came from.
     *
     * @return the name as written, or null when the target was written as an IP address.
     */
    public String name()
    {
        return host == null || Addresses.isIpLiteral(host) ? null : host;
    }

    /**
     * Whether this target is written as a host name.
     *
     * @return true when {@link #name()} is not null.
     */
    public boolean isNamed()
    {
        return name() != null;
    }

    /**
     * The same target at another address: one of the addresses its name resolved to.
     *
     * @param resolved the address.
     * @return a copy that keeps the name, ports, weight and positions.
     */
    public TargetConfig withAddress(final InetAddress resolved)
    {
        return new TargetConfig(host, resolved, ports, weight, position, weightPosition);
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
     * @return the label used in messages and tables; the host name while a named target has no address.
     */
    public String label(final PoolConfig pool)
    {
        return addressText() + ":" + effectivePorts(pool);
    }

    /**
     * The address for messages and tables.
     *
     * @return its literal ({@code [::1]}), or the host name while a named target has no address.
     */
    public String addressText()
    {
        return address != null ? Endpoint.literal(address) : host;
    }
}
