package io.portgate.udp;

import io.portgate.loop.LocalFailure;
import io.portgate.loop.RouteAccess;

import io.portgate.metrics.Metric;
import io.portgate.metrics.RouteCounters;

import java.util.List;

/**
 * The slots of a UDP listener's counters: what each listener and target cell counts, and the metric it is exported
 * as. {@link RouteCounters} keeps one worker's cells of one listener by this table.
 */
public final class UdpSlots
{
    /** Listener: flows held now. */
    public static final int L_FLOWS_ACTIVE = 0;
    /** Listener: flows created. */
    public static final int L_FLOWS_TOTAL = 1;
    /** Listener: datagrams forwarded from clients to targets. */
    public static final int L_DATAGRAMS_IN = 2;
    /** Listener: bytes forwarded from clients to targets. */
    public static final int L_BYTES_IN = 3;
    /** Listener: datagrams forwarded from targets to clients. */
    public static final int L_DATAGRAMS_OUT = 4;
    /** Listener: bytes forwarded from targets to clients. */
    public static final int L_BYTES_OUT = 5;
    /** Listener: datagrams dropped because no target was eligible. */
    public static final int L_DROP_NO_TARGET = 6;
    /** Listener: datagrams dropped because a socket's send buffer was full. */
    public static final int L_DROP_WOULD_BLOCK = 7;
    /** Listener: datagrams dropped because they were larger than the largest datagram passed. */
    public static final int L_DROP_TRUNCATED = 8;
    /** Listener: datagrams dropped because their target was unreachable when they were sent. */
    public static final int L_DROP_UNREACHABLE = 9;
    /** Listener: datagrams from new clients dropped because the balancer is stopping. */
    public static final int L_DROP_DRAINING = 10;
    /**
     * Listener: datagrams dropped because a socket failed otherwise (such as no file descriptor left), or could not
     * be sent at all (plain NIO cannot send an empty datagram).
     */
    public static final int L_DROP_ERROR = 11;
    /** Listener: flows evicted because the flow table was full. */
    public static final int L_FLOWS_EVICTED = 12;
    /** Listener: flows that expired after the idle timeout. */
    public static final int L_FLOWS_EXPIRED = 13;
    /** Listener: times a target reported itself unreachable (ICMP port unreachable). */
    public static final int L_UNREACHABLE = 14;
    /** Listener: access log records dropped because the writer was behind. */
    public static final int L_ACCESS_LOG_DROPPED = 15;
    /** Listener: the first of {@link RouteAccess#UDP_REASONS} slots of datagrams refused, by reason. */
    public static final int L_ACCESS_REFUSED = 16;
    /**
     * Listener: datagrams the kernel dropped because a listening socket's receive buffer was full, as the kernel
     * counts them (SO_RXQ_OVFL, SO_MEMINFO).
     */
    public static final int L_DROP_RECEIVE_BUFFER = L_ACCESS_REFUSED + RouteAccess.UDP_REASONS;
    /**
     * Listener: the balancer's own failures opening a flow's socket to a target, by
     * {@link io.portgate.loop.LocalFailure} reason, from this slot on ({@code L_LOCAL + reason}).
     */
    public static final int L_LOCAL = L_DROP_RECEIVE_BUFFER + 1;

    /** Target: flow sockets open to it now. */
    public static final int T_FLOWS_ACTIVE = 0;
    /** Target: flow sockets opened to it. */
    public static final int T_FLOWS_TOTAL = 1;
    /** Target: datagrams forwarded to it. */
    public static final int T_DATAGRAMS_IN = 2;
    /** Target: bytes forwarded to it. */
    public static final int T_BYTES_IN = 3;
    /** Target: datagrams forwarded from it. */
    public static final int T_DATAGRAMS_OUT = 4;
    /** Target: bytes forwarded from it. */
    public static final int T_BYTES_OUT = 5;
    /** Target: times it reported itself unreachable (ICMP port unreachable). */
    public static final int T_UNREACHABLE = 6;

    /** The table: listener slots, then target slots, each in slot order. */
    public static final RouteCounters.Layout LAYOUT = new RouteCounters.Layout(
        List.of(RouteCounters.Slot.of(Metric.UDP_FLOWS_ACTIVE), RouteCounters.Slot.of(Metric.UDP_FLOWS),
        RouteCounters.Slot.of(Metric.DATAGRAMS_RECEIVED), RouteCounters.Slot.of(Metric.BYTES_RECEIVED),
        RouteCounters.Slot.of(Metric.DATAGRAMS_SENT), RouteCounters.Slot.of(Metric.BYTES_SENT),
        dropped("no_target"), dropped("would_block"), dropped("truncated"), dropped("unreachable"),
        dropped("draining"), dropped("error"), RouteCounters.Slot.of(Metric.UDP_FLOWS_EVICTED),
        RouteCounters.Slot.of(Metric.UDP_FLOWS_EXPIRED), RouteCounters.Slot.of(Metric.UDP_UNREACHABLE),
        RouteCounters.Slot.of(Metric.ACCESS_LOG_DROPPED), refusedSlot(0), refusedSlot(1), refusedSlot(2),
        refusedSlot(3),
        dropped("receive_buffer"), local(LocalFailure.EMFILE), local(LocalFailure.ENFILE), local(LocalFailure.ENOBUFS),
        local(LocalFailure.ENOMEM), local(LocalFailure.EADDRNOTAVAIL)),
        List.of(RouteCounters.Slot.of(Metric.TARGET_FLOWS_ACTIVE), RouteCounters.Slot.of(Metric.TARGET_FLOWS),
        RouteCounters.Slot.of(Metric.TARGET_DATAGRAMS_SENT), RouteCounters.Slot.of(Metric.TARGET_BYTES_SENT),
        RouteCounters.Slot.of(Metric.TARGET_DATAGRAMS_RECEIVED), RouteCounters.Slot.of(Metric.TARGET_BYTES_RECEIVED),
        RouteCounters.Slot.of(Metric.TARGET_UNREACHABLE)));

    private UdpSlots()
    {
    }

    /**
     * The slot counting refused datagrams for a reason.
     *
     * @param reason a {@link RouteAccess} reason, one of the first {@link RouteAccess#UDP_REASONS}.
     * @return the slot.
     */
    public static int refused(final int reason)
    {
        return L_ACCESS_REFUSED + reason;
    }

    private static RouteCounters.Slot refusedSlot(final int reason)
    {
        return new RouteCounters.Slot(Metric.ACCESS_REFUSED, "reason", RouteAccess.reasonName(reason));
    }

    private static RouteCounters.Slot local(final int reason)
    {
        return new RouteCounters.Slot(Metric.LOCAL_FAILURES, "reason", LocalFailure.name(reason));
    }

    private static RouteCounters.Slot dropped(final String reason)
    {
        return new RouteCounters.Slot(Metric.DATAGRAMS_DROPPED, "reason", reason);
    }
}
