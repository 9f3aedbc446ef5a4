package io.portgate.spi;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * Something that happened to a running balancer, as an {@link EventListener} hears of it: a target changed state, a
 * reload was applied or rejected, a listener was bound or closed.
 *
 * <p>Events are delivered off the data path, on one thread of their own ({@code portgate-events}), in the order they
 * happened: a target's changes in the order the health checker decided them, a reload's events after the listeners
 * it bound or closed.
 */
public sealed interface PortgateEvent
{
    /**
     * A target's state changed.
     *
     * @param pool        the pool's name.
     * @param target      the target as {@code address:port(s)}, as {@code Portgate.targets()} names it.
     * @param from        its state before.
     * @param to          its state now.
     * @param reason      why, in words: the probes that tipped it, or an operator's drain.
     * @param probeResult the last probe's result (or {@link ProbeResult#PASSIVE_FAILURE} for a failure seen on real
     *                    traffic); null when an operator drained or undrained it.
     */
    record TargetStateChanged(String pool, String target, TargetState from, TargetState to, String reason,
        ProbeResult probeResult) implements PortgateEvent
    {
    }

    /**
     * A reload was applied.
     *
     * @param generation how many reloads have been applied since start, this one included.
     * @param changes    what changed, one entry per change; empty when nothing did.
     */
    record ReloadApplied(int generation, List<String> changes) implements PortgateEvent
    {
        /** Copies the list. */
        public ReloadApplied
        {
            changes = List.copyOf(changes);
        }
    }

    /**
     * A reload was rejected; nothing changed.
     *
     * @param reason why, as the exception the reload threw says it.
     */
    record ReloadRejected(String reason) implements PortgateEvent
    {
    }

    /**
     * A listener was bound, at start or by a reload.
     *
     * @param listener  the listener's name.
     * @param addresses the local addresses, one per port of its range.
     */
    record ListenerBound(String listener, List<InetSocketAddress> addresses) implements PortgateEvent
    {
        /** Copies the list. */
        public ListenerBound
        {
            addresses = List.copyOf(addresses);
        }
    }

    /**
     * A listener was closed, by a reload that removed it or by the balancer's close.
     *
     * @param listener the listener's name.
     */
    record ListenerClosed(String listener) implements PortgateEvent
    {
    }
}
