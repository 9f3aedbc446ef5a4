package io.portgate.bench.harness;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The counters one client thread keeps: written by that thread alone, read once a second by the runner.
 *
 * <p>The values sit in the middle of a padded array so two threads' counters never share a cache line; each
 * thread bumps its counters on every message.
 */
final class WorkerCounters
{
    /** Operations completed, warm-up included: for the progress line. */
    static final int OPERATIONS = 0;
    /** Operations completed after the warm-up. */
    static final int MEASURED_OPERATIONS = 1;
    /** Errors of any kind, warm-up included. */
    static final int ERRORS = 2;
    /** Exchanges that timed out, warm-up included. */
    static final int TIMEOUTS = 3;
    /** Bytes sent, warm-up included. */
    static final int BYTES = 4;
    /** Bytes sent after the warm-up. */
    static final int MEASURED_BYTES = 5;
    /** UDP replies that came after their request had timed out. */
    static final int LATE_REPLIES = 6;
    /** Replies whose bytes were not the request's. */
    static final int MISMATCHES = 7;
    /** Connections a server accepted. */
    static final int ACCEPTED = 8;

    private static final int COUNT = 9;
    private static final int PAD = 16;
    private static final VarHandle VALUES = MethodHandles.arrayElementVarHandle(long[].class);

    private final long[] values = new long[PAD + COUNT + PAD];

    void increment(final int counter)
    {
        add(counter, 1);
    }

    void add(final int counter, final long delta)
    {
        final int i = PAD + counter;
        VALUES.setRelease(values, i, values[i] + delta);
    }

    long get(final int counter)
    {
        return (long)VALUES.getAcquire(values, PAD + counter);
    }
}
