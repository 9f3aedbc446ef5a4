package io.portgate.udp;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One worker's UDP counters, per listener and per target of the listener's pool. Only the owning worker writes (so an
 * increment is a plain read and an opaque write, no atomic instruction); any thread reads with opaque loads and sums
 * the workers. Kept in one flat array with a fixed layout so it can move into an Agrona {@code CountersManager} file
 * slot for slot.
 */
public final class UdpCounters
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
    private static final int LISTENER_SLOTS = 15;

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
    private static final int TARGET_SLOTS = 7;

    /** Keeps the cells of different workers on different cache lines. */
    private static final int PAD = 16;
    private static final VarHandle CELLS = MethodHandles.arrayElementVarHandle(long[].class);

    private final int[] listenerBase;
    private final int[] targetBase;
    private final long[] cells;

    /**
     * Creates zeroed counters.
     *
     * @param targetsPerListener how many targets each UDP listener's pool has, by listener index.
     */
    public UdpCounters(final int[] targetsPerListener)
    {
        final int listeners = targetsPerListener.length;
        listenerBase = new int[listeners];
        targetBase = new int[listeners];
        int next = PAD;
        for (int l = 0; l < listeners; l++)
        {
            listenerBase[l] = next;
            next += LISTENER_SLOTS;
            targetBase[l] = next;
            next += TARGET_SLOTS * targetsPerListener[l];
        }
        cells = new long[next + PAD];
    }

    /**
     * Adds to a listener counter. Owning worker only.
     *
     * @param listener the listener index.
     * @param slot     an {@code L_} slot.
     * @param delta    the amount.
     */
    public void addListener(final int listener, final int slot, final long delta)
    {
        add(listenerBase[listener] + slot, delta);
    }

    /**
     * Adds to a target counter. Owning worker only.
     *
     * @param listener the listener index.
     * @param target   the target id in its pool.
     * @param slot     a {@code T_} slot.
     * @param delta    the amount.
     */
    public void addTarget(final int listener, final int target, final int slot, final long delta)
    {
        add(targetBase[listener] + target * TARGET_SLOTS + slot, delta);
    }

    /**
     * Reads a listener counter. Any thread.
     *
     * @param listener the listener index.
     * @param slot     an {@code L_} slot.
     * @return its value.
     */
    public long listener(final int listener, final int slot)
    {
        return (long)CELLS.getOpaque(cells, listenerBase[listener] + slot);
    }

    /**
     * Reads a target counter. Any thread.
     *
     * @param listener the listener index.
     * @param target   the target id.
     * @param slot     a {@code T_} slot.
     * @return its value.
     */
    public long target(final int listener, final int target, final int slot)
    {
        return (long)CELLS.getOpaque(cells, targetBase[listener] + target * TARGET_SLOTS + slot);
    }

    private void add(final int index, final long delta)
    {
        CELLS.setOpaque(cells, index, (long)CELLS.getOpaque(cells, index) + delta);
    }
}
