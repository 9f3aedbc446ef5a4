package io.portgate.tcp;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One worker's TCP counters, per listener and per target of the listener's pool. Only the owning worker writes
 * (so an increment is a plain read and an opaque write, no atomic instruction); any thread reads with opaque loads
 * and sums the workers. Kept in one flat array with a fixed layout so it can move into an Agrona
 * {@code CountersManager} file slot for slot.
 */
public final class TcpCounters
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
    private static final int LISTENER_SLOTS = 9;

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
    private static final int TARGET_SLOTS = 6;

    /** Keeps the cells of different workers on different cache lines. */
    private static final int PAD = 16;
    private static final VarHandle CELLS = MethodHandles.arrayElementVarHandle(long[].class);

    private final int[] listenerBase;
    private final int[] targetBase;
    private final long[] cells;

    /**
     * Creates zeroed counters.
     *
     * @param targetsPerListener how many targets each listener's pool has, by listener index.
     */
    public TcpCounters(final int[] targetsPerListener)
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
