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
 * @param name          the host name it was looked up from (one of the name's A or AAAA records), or null for a
 *                      target written as an address.
 */
public record TargetView(
    String pool, int index, String target, int weight, String probe, TargetState state, ProbeResult lastResult,
    Duration lastLatency, Duration inState, String name)
{
    /**
     * A target written as an address.
     *
     * @param pool        the pool's name.
     * @param index       the target's index.
     * @param target      the target as {@code address:port(s)}.
     * @param weight      its weight.
     * @param probe       what probes it.
     * @param state       up, down or draining.
     * @param lastResult  its last probe's result, or null.
     * @param lastLatency its last probe's latency.
     * @param inState     how long it has been in its state.
     */
    public TargetView(final String pool, final int index, final String target, final int weight, final String probe,
        final TargetState state, final ProbeResult lastResult, final Duration lastLatency, final Duration inState)
    {
        this(pool, index, target, weight, probe, state, lastResult, lastLatency, inState, null);
    }
}
