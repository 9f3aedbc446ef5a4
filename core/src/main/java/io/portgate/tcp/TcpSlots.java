package io.portgate.tcp;

import io.portgate.loop.LocalFailure;
import io.portgate.loop.RouteAccess;

import io.portgate.metrics.Metric;
import io.portgate.metrics.RouteCounters;

import java.util.List;

/**
 * The slots of a TCP listener's counters: what each listener and target cell counts, and the metric it is exported
 * as. {@link RouteCounters} keeps one worker's cells of one listener by this table.
 */
public final class TcpSlots
{
    /** Listener: connections open now (admitted, connecting or forwarding). */
    public static final int L_ACTIVE = 0;
    /** Listener: connections admitted. */
    public static final int L_TOTAL = 1;
    /** Listener: connections closed because no target could be reached. */
    public static final int L_REFUSED = 2;
    /** Listener: connections closed at once because a connection limit was reached. */
    public static final int L_LIMIT_REJECTED = 3;
    /** Listener: bytes forwarded from clients to targets. */
    public static final int L_BYTES_IN = 4;
    /** Listener: bytes forwarded from targets to clients. */
    public static final int L_BYTES_OUT = 5;
    /** Listener: failed connects to targets (refused, timed out, unreachable). */
    public static final int L_CONNECT_FAILURES = 6;
    /** Listener: connections closed by the idle timeout. */
    public static final int L_IDLE_TIMEOUTS = 7;
    /** Listener: connections closed with a reset because one side reset or failed. */
    public static final int L_RESETS = 8;
    /** Listener: access log records dropped because the writer was behind. */
    public static final int L_ACCESS_LOG_DROPPED = 9;
    /** Listener: the first of {@link RouteAccess#TCP_REASONS} slots of connections refused, by reason. */
    public static final int L_ACCESS_REFUSED = 10;
    /**
     * Listener: the balancer's own failures opening or connecting a socket to a target, by
     * {@link io.portgate.loop.LocalFailure} reason, from this slot on ({@code L_LOCAL + reason}).
     */
    public static final int L_LOCAL = L_ACCESS_REFUSED + RouteAccess.TCP_REASONS;
    /** Listener: accepts that failed because the process had no file descriptor left (EMFILE). */
    public static final int L_ACCEPT_EMFILE = L_LOCAL + LocalFailure.COUNT;
    /** Listener: accepts that failed because the system had no file descriptor left (ENFILE). */
    public static final int L_ACCEPT_ENFILE = L_ACCEPT_EMFILE + 1;

    /** Target: connections open to it now. */
    public static final int T_ACTIVE = 0;
    /** Target: connections established to it. */
    public static final int T_TOTAL = 1;
    /** Target: bytes forwarded to it. */
    public static final int T_BYTES_IN = 2;
    /** Target: bytes forwarded from it. */
    public static final int T_BYTES_OUT = 3;
    /** Target: failed connects (refused, timed out, unreachable). */
    public static final int T_CONNECT_FAILURES = 4;
    /** Target: connects it refused (ECONNREFUSED). */
    public static final int T_REFUSED = 5;

    /** The table: listener slots, then target slots, each in slot order. */
    public static final RouteCounters.Layout LAYOUT = new RouteCounters.Layout(
        List.of(RouteCounters.Slot.of(Metric.TCP_CONNECTIONS_ACTIVE), RouteCounters.Slot.of(Metric.TCP_CONNECTIONS),
        RouteCounters.Slot.of(Metric.TCP_CONNECTIONS_REFUSED), RouteCounters.Slot.of(Metric.TCP_CONNECTIONS_REJECTED),
        RouteCounters.Slot.of(Metric.BYTES_RECEIVED), RouteCounters.Slot.of(Metric.BYTES_SENT),
        RouteCounters.Slot.of(Metric.TCP_CONNECT_FAILURES), RouteCounters.Slot.of(Metric.TCP_IDLE_TIMEOUTS),
        RouteCounters.Slot.of(Metric.TCP_RESETS), RouteCounters.Slot.of(Metric.ACCESS_LOG_DROPPED),
        refusedSlot(0), refusedSlot(1), refusedSlot(2), refusedSlot(3), refusedSlot(4), refusedSlot(5),
        refusedSlot(6), refusedSlot(7), refusedSlot(8), refusedSlot(9),
        local(LocalFailure.EMFILE), local(LocalFailure.ENFILE),
        local(LocalFailure.ENOBUFS), local(LocalFailure.ENOMEM), local(LocalFailure.EADDRNOTAVAIL),
        new RouteCounters.Slot(Metric.LOCAL_FAILURES, "reason", "accept_emfile"),
        new RouteCounters.Slot(Metric.LOCAL_FAILURES, "reason", "accept_enfile")),
        List.of(RouteCounters.Slot.of(Metric.TARGET_CONNECTIONS_ACTIVE), RouteCounters.Slot.of(Metric.TARGET_CONNECTIONS),
        RouteCounters.Slot.of(Metric.TARGET_BYTES_SENT), RouteCounters.Slot.of(Metric.TARGET_BYTES_RECEIVED),
        RouteCounters.Slot.of(Metric.TARGET_CONNECT_FAILURES), RouteCounters.Slot.of(Metric.TARGET_CONNECT_REFUSED)));

    private TcpSlots()
    {
    }

    /**
     * The slot counting refusals for a reason.
     *
     * @param reason a {@link RouteAccess} reason.
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

    /**
     * The slot of a local failure's reason.
     *
     * @param reason a {@link LocalFailure} reason.
     * @return the listener slot.
     */
    static RouteCounters.Slot local(final int reason)
    {
        return new RouteCounters.Slot(Metric.LOCAL_FAILURES, "reason", LocalFailure.name(reason));
    }
}
