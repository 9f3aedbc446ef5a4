package io.portgate;

import io.portgate.spi.ProbeResult;
import io.portgate.spi.TargetState;

import java.time.Duration;

/**
 * The operator's view of one target of a pool.
 *
 * @param pool          the pool's name.
 * @param index         the target's index in the pool's target list.
 * @param target        the target as {@code address:port(s)}.
 * @param weight        its weight as every forwarder picks by it now (as configured, or as an operator set it).
 * @param probe         what probes it, e.g. {@code tcp:9000}, or {@code none} for passive detection only.
 * @param state         up, down or draining.
 * @param lastResult    how its last probe ended, or null before the first.
 * @param lastLatency   how long its last probe took.
 * @param inState       how long it has been in its state.
 */
public record TargetView(
    String pool, int index, String target, int weight, String probe, TargetState state, ProbeResult lastResult,
    Duration lastLatency, Duration inState)
{
}
