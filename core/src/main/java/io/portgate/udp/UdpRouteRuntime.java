package io.portgate.udp;

import io.portgate.config.Affinity;
import io.portgate.loop.RouteRuntime;
import io.portgate.loop.TargetFailureListener;
import io.portgate.metrics.RouteCounters;

/**
 * One UDP listener as one worker runs it (see {@link RouteRuntime}): its counters, the policy flows pick targets by,
 * and how many flow sockets this worker has open to each target.
 */
public final class UdpRouteRuntime extends RouteRuntime<UdpRoute>
{
    private final boolean packetAffinity;
    private final boolean clientAffinity;

    /**
     * Creates the runtime of a listener on one worker.
     *
     * @param route    the listener.
     * @param counters this worker's counters of it.
     * @param failures who hears of targets that report themselves unreachable.
     */
    public UdpRouteRuntime(final UdpRoute route, final RouteCounters counters, final TargetFailureListener failures)
    {
        super(route, counters, failures);
        this.packetAffinity = route.affinity() == Affinity.PACKET;
        this.clientAffinity = route.affinity() == Affinity.CLIENT;
    }

    @Override
    public String balance()
    {
        return route().pickBalance();
    }

    /** @return true when every datagram picks its target anew. */
    boolean packetAffinity()
    {
        return packetAffinity;
    }

    /** @return true when every flow of one client IP goes to one target. */
    boolean clientAffinity()
    {
        return clientAffinity;
    }
}
