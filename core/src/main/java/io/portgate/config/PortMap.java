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
}
