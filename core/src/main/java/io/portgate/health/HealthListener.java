package io.portgate.health;

import io.portgate.spi.ProbeResult;

import io.portgate.spi.TargetState;

/** Told on the health checker's thread whenever a target's state changes. */
@FunctionalInterface
public interface HealthListener
{
    /**
     * A target changed state.
     *
     * @param target the target.
     * @param from   its state before.
     * @param to     its state now.
     * @param cause  the result that tipped it, or null when an operator drained or undrained it.
     * @param reason why, in words: the probes that tipped it, or the operator's drain.
     */
    void onStateChange(ProbeTarget target, TargetState from, TargetState to, ProbeResult cause, String reason);
}
