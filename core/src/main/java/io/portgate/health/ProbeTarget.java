package io.portgate.health;

import io.portgate.config.HealthConfig;

import java.net.InetSocketAddress;

/**
 * One thing to probe: a target of a pool, at the port its probe hits.
 *
 * @param id      a dense id, unique within one {@link HealthChecker}.
 * @param pool    the pool's name.
 * @param target  the target's traffic address, as reports name it.
 * @param probeAt the address the probe hits (the traffic port or the health port).
 * @param config  the pool's probe settings, or null when the pool has no active probe (it can still be drained).
 */
public record ProbeTarget(int id, String pool, InetSocketAddress target, InetSocketAddress probeAt, HealthConfig config)
{
}
