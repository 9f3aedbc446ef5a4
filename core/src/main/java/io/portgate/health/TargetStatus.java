package io.portgate.health;

import io.portgate.spi.ProbeResult;

import io.portgate.spi.TargetState;

/**
 * The operator's view of one target: its state, its last probe and how long it has been in that state.
 *
 * @param target         the target.
 * @param state          up, down or draining.
 * @param lastResult     how the last probe (or passive observation) ended, or null before the first.
 * @param lastLatencyNs  how long the last probe took.
 * @param sinceNs        when it entered its state, on the checker's clock.
 * @param probes         probes completed.
 * @param healthy        whether its probes pass; for a drained target, what it goes back to when undrained.
 */
public record TargetStatus(
    ProbeTarget target, TargetState state, ProbeResult lastResult, long lastLatencyNs, long sinceNs, long probes,
    boolean healthy)
{
    /**
     * How long the target has been in its state.
     *
     * @param nowNs the current time on the checker's clock.
     * @return nanoseconds.
     */
    public long inStateNanos(final long nowNs)
    {
        return nowNs - sinceNs;
    }
}
