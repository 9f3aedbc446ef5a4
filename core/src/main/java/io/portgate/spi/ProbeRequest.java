package io.portgate.spi;

import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * One probe of one target, as a {@link HealthProbe} is asked to make it.
 *
 * @param pool    the pool's name.
 * @param target  the target's traffic address (its first internal port).
 * @param probeAt the address to probe: the traffic address, or the pool's {@code health.port}.
 * @param timeout how long the probe may take; past it, it counts as {@link ProbeResult#TIMEOUT}.
 */
public record ProbeRequest(String pool, InetSocketAddress target, InetSocketAddress probeAt, Duration timeout)
{
}
