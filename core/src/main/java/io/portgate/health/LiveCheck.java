package io.portgate.health;

import io.portgate.config.Endpoint;
import io.portgate.config.HealthConfig;
import io.portgate.config.HealthProtocol;
import io.portgate.config.ListenerConfig;
import io.portgate.config.PoolConfig;
import io.portgate.config.PortRange;
import io.portgate.config.PortgateConfig;
import io.portgate.config.Protocol;
import io.portgate.config.TargetConfig;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;

/**
 * Direct requests to every target's internal port and health port, bypassing the balancer: the check an operator
 * makes by hand to confirm that the port map matches what really listens. What {@code portgate check --live} runs.
 */
public final class LiveCheck
{
    /** Most ports of one target's range that are checked; a wider range is checked at its first ports only. */
    public static final int MAX_PORTS_PER_TARGET = 64;
    private static final int CONCURRENCY = 64;

    private LiveCheck()
    {
    }

    /** Which port of the target a check is about. */
    public enum Kind
    {
        /** The internal port traffic is forwarded to. */
        TRAFFIC,
        /** The port the health probe hits, when it differs from the traffic port or uses another protocol. */
        HEALTH
    }

    /**
     * One direct request and its result.
     *
     * @param pool     the pool.
     * @param target   the target's address and port.
     * @param kind     traffic or health port.
     * @param protocol tcp, udp or http.
     * @param result   what the request found.
     */
    public record Check(String pool, InetSocketAddress target, Kind kind, HealthProtocol protocol,
        DirectCheck.Result result)
    {
        /**
         * The target as {@code address:port}.
         *
         * @return the label.
         */
        public String targetLabel()
        {
            return Endpoint.format(target.getAddress(), target.getPort());
        }
    }

    private record Plan(String pool, InetSocketAddress target, Kind kind, HealthProtocol protocol, HealthConfig health)
    {
    }

    /**
     * Checks every target of every pool a listener uses.
     *
     * @param config  a valid configuration.
     * @param timeout how long each request may take.
     * @return the checks in pool and target order.
     */
    public static List<Check> run(final PortgateConfig config, final Duration timeout)
    {
        final List<Plan> plans = plan(config);
        final List<Check> checks = new ArrayList<>(plans.size());
        final Semaphore permits = new Semaphore(CONCURRENCY);
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor())
        {
            final List<Future<DirectCheck.Result>> futures = new ArrayList<>();
            for (final Plan plan : plans)
            {
                futures.add(executor.submit(() ->
                {
                    permits.acquire();
                    try
                    {
                        return execute(plan, timeout);
                    }
                    finally
                    {
                        permits.release();
                    }
                }));
            }
            for (int i = 0; i < plans.size(); i++)
            {
                final Plan plan = plans.get(i);
                DirectCheck.Result result;
                try
                {
                    result = futures.get(i).get();
                }
                catch (final Exception ex)
                {
                    result = new DirectCheck.Result(DirectCheck.Outcome.ERROR, 0, String.valueOf(ex));
                }
                checks.add(new Check(plan.pool, plan.target, plan.kind, plan.protocol, result));
            }
        }
        return checks;
    }

    private static List<Plan> plan(final PortgateConfig config)
    {
        final Map<String, Set<Protocol>> protocolsByPool = new LinkedHashMap<>();
        for (final ListenerConfig listener : config.listeners())
        {
            if (config.poolOf(listener) != null)
            {
                protocolsByPool.computeIfAbsent(listener.pool(), k -> EnumSet.noneOf(Protocol.class))
                    .add(listener.protocol());
            }
        }
        final Map<String, Plan> plans = new LinkedHashMap<>();
        protocolsByPool.forEach((poolName, protocols) ->
        {
            final PoolConfig pool = config.pools().get(poolName);
            final HealthConfig health = pool.health();
            for (final TargetConfig target : pool.targets())
            {
                final PortRange ports = target.effectivePorts(pool);
                // A host name that did not resolve has nothing to ask; check reports the lookup instead.
                if (ports == null || target.address() == null)
                {
                    continue;
                }
                final int count = Math.min(ports.size(), MAX_PORTS_PER_TARGET);
                for (int i = 0; i < count; i++)
                {
                    final InetSocketAddress address = new InetSocketAddress(target.address(), ports.first() + i);
                    for (final Protocol protocol : protocols)
                    {
                        final HealthProtocol as = protocol == Protocol.UDP ? HealthProtocol.UDP : HealthProtocol.TCP;
                        add(plans, new Plan(poolName, address, Kind.TRAFFIC, as, health));
                    }
                    if (health != null)
                    {
                        final int healthPort = health.portFor(address.getPort());
                        final boolean sameAsTraffic = healthPort == address.getPort() &&
                            (health.protocol() == HealthProtocol.TCP && protocols.contains(Protocol.TCP) ||
                                health.protocol() == HealthProtocol.UDP && protocols.contains(Protocol.UDP));
                        if (!sameAsTraffic)
                        {
                            add(plans, new Plan(poolName, new InetSocketAddress(target.address(), healthPort),
                                Kind.HEALTH, health.protocol(), health));
                        }
                    }
                }
            }
        });
        return new ArrayList<>(plans.values());
    }

    private static void add(final Map<String, Plan> plans, final Plan plan)
    {
        plans.putIfAbsent(plan.pool + "|" + plan.target + "|" + plan.protocol, plan);
    }

    private static DirectCheck.Result execute(final Plan plan, final Duration timeout)
    {
        final HealthConfig health = plan.health;
        return switch (plan.protocol)
        {
            case TCP -> DirectCheck.tcp(plan.target, timeout);
            case HTTP -> DirectCheck.http(plan.target, Endpoint.literal(plan.target.getAddress()),
                health.path(), health.statusMin(), health.statusMax(), timeout);
            case UDP ->
            {
                final boolean probePayload = health != null && health.protocol() == HealthProtocol.UDP;
                final byte[] payload = probePayload ? health.send().getBytes(StandardCharsets.UTF_8) : new byte[0];
                yield DirectCheck.udp(plan.target, payload, probePayload ? health.expect() : null, timeout);
            }
        };
    }
}
