package io.portgate.config;

import java.util.ArrayList;
import java.util.List;

/**
 * The port map of a configuration: for every listener, each target of its pool with the internal port traffic goes
 * to and the port its health probe hits. What {@code portgate ports} prints and the admin endpoint serves.
 */
public final class PortMap
{
    private PortMap()
    {
    }

    /**
     * One listener-to-target mapping.
     *
     * @param listener      listener name.
     * @param protocol      listener protocol.
     * @param external      the address and port(s) the listener binds.
     * @param pool          pool name.
     * @param balance       the pool's balancing policy.
     * @param target        the target's address.
     * @param internal      the internal port(s) traffic is forwarded to, offset by offset for a range.
     * @param weight        the target's weight.
     * @param healthProtocol the probe's protocol, or null when the pool has no active probe.
     * @param healthPort    the port the probe hits, or 0 when there is no probe.
     * @param healthOnOtherPort whether the probe hits a port other than the traffic port.
     */
    public record Row(
        String listener,
        Protocol protocol,
        Endpoint external,
        String pool,
        String balance,
        String target,
        PortRange internal,
        int weight,
        HealthProtocol healthProtocol,
        int healthPort,
        boolean healthOnOtherPort)
    {
        /**
         * The target as {@code address:port(s)}.
         *
         * @return the target and its internal port(s).
         */
        public String targetEndpoint()
        {
            return target + ":" + internal;
        }

        /**
         * The health column: {@code tcp:9000}, {@code http:8081 (health port)} or {@code none}.
         *
         * @return the probe's description.
         */
        public String health()
        {
            if (healthProtocol == null)
            {
                return "none (passive)";
            }
            return healthProtocol + ":" + healthPort + (healthOnOtherPort ? " (health port)" : "");
        }
    }

    /**
     * Builds the port map, skipping listeners whose pool does not exist.
     *
     * @param config the configuration.
     * @return one row per listener and target, in file order.
     */
    public static List<Row> of(final PortgateConfig config)
    {
        final List<Row> rows = new ArrayList<>();
        for (final ListenerConfig listener : config.listeners())
        {
            final PoolConfig pool = config.poolOf(listener);
            if (pool == null)
            {
                continue;
            }
            for (final TargetConfig target : pool.targets())
            {
                final PortRange internal = target.effectivePorts(pool);
                if (internal == null)
                {
                    continue;
                }
                final HealthConfig health = pool.health();
                final int healthPort = health == null ? 0 : health.portFor(internal.first());
                rows.add(new Row(listener.name(), listener.protocol(), listener.bind(), pool.name(),
                    pool.balance(), target.addressText(), internal, target.weight(),
                    health == null ? null : health.protocol(), healthPort,
                    health != null && !internal.contains(healthPort)));
            }
        }
        return rows;
    }

    /**
     * A listener's access rules and per-source limits in one line, for {@code ports}: {@code open to all} when it
     * has none.
     *
     * @param listener the listener.
     * @return e.g. {@code accept-proxy v2 from 10.0.0.10/32; deny 192.0.2.0/24; per source: 5 connections, 100/s}.
     */
    public static String accessOf(final ListenerConfig listener)
    {
        final List<String> parts = new ArrayList<>();
        final boolean tcp = listener.protocol() == Protocol.TCP;
        if (tcp && listener.acceptProxy() != AcceptProxy.OFF)
        {
            parts.add("accept-proxy " + listener.acceptProxy() + " from " + blocks(listener.trustedProxies()));
        }
        if (listener.allow() != null)
        {
            parts.add("allow " + blocks(listener.allow()));
        }
        if (listener.deny() != null)
        {
            parts.add("deny " + blocks(listener.deny()));
        }
        final List<String> limits = new ArrayList<>();
        final int max = tcp ? listener.maxConnectionsPerSource() : listener.maxFlowsPerSource();
        final long rate = tcp ? listener.connectionRatePerSource() : listener.datagramRatePerSource();
        if (max > 0)
        {
            limits.add(max + (tcp ? " connections" : " flows"));
        }
        if (rate > 0)
        {
            limits.add(rate + (tcp ? " connections/s" : " datagrams/s"));
        }
        if (!limits.isEmpty())
        {
            parts.add("per source: " + String.join(", ", limits));
        }
        return parts.isEmpty() ? "open to all" : String.join("; ", parts);
    }

    private static String blocks(final CidrConfig list)
    {
        if (list == null || list.entries().isEmpty())
        {
            return "nothing";
        }
        final List<String> entries = list.entries();
        return entries.size() <= 4 ? String.join(", ", entries) :
            String.join(", ", entries.subList(0, 3)) + " and " + (entries.size() - 3) + " more";
    }
}
