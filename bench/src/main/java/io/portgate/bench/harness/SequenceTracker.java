package io.portgate.bench.harness;

/**
 * Counts the distinct, duplicate, reordered and too-late sequence numbers of one flow, exactly within a window.
 *
 * <p>A ring of {@link #WINDOW} bits remembers which of the latest sequence numbers have arrived, so a duplicate is
 * told from a late first arrival without a bitmap as large as the run. A number more than the window behind the
 * highest one seen cannot be told apart and counts as {@link #tooLate()} only; on a real path reordering that deep
 * does not happen, so a non-zero count there is itself a finding. Single-threaded: the sink's receive loop owns it.
 */
public final class SequenceTracker
{
    /** Sequence numbers remembered behind the highest one seen. */
    public static final int WINDOW = 1 << 16;
    private static final int WINDOW_MASK = WINDOW - 1;

    private final long[] seen = new long[WINDOW / Long.SIZE];
    private long highest = -1;
    private long distinct;
    private long duplicates;
    private long reordered;
    private long tooLate;

    /**
     * Records the arrival of a sequence number.
     *
     * @param sequence from 0 up.
     */
    public void record(final long sequence)
    {
        if (sequence > highest)
        {
            forgetUpTo(sequence);
            mark(sequence);
            highest = sequence;
            distinct++;
        }
        else if (highest - sequence >= WINDOW)
        {
            tooLate++;
        }
        else if (isMarked(sequence))
        {
            duplicates++;
        }
        else
        {
            mark(sequence);
            distinct++;
            reordered++;
        }
    }

    private void forgetUpTo(final long sequence)
    {
        if (highest < 0 || sequence - highest > WINDOW)
        {
            java.util.Arrays.fill(seen, 0L);
            return;
        }
        for (long s = highest + 1; s < sequence; s++)
        {
            seen[(int)((s & WINDOW_MASK) >>> 6)] &= ~(1L << s);
        }
        seen[(int)((sequence & WINDOW_MASK) >>> 6)] &= ~(1L << sequence);
    }

    private void mark(final long sequence)
    {
        seen[(int)((sequence & WINDOW_MASK) >>> 6)] |= 1L << sequence;
    }

    private boolean isMarked(final long sequence)
    {
        return (seen[(int)((sequence & WINDOW_MASK) >>> 6)] & (1L << sequence)) != 0;
    }

    /**
     * Distinct sequence numbers received.
     *
     * @return count.
     */
    public long distinct()
    {
        return distinct;
    }

    /**
     * Arrivals of a sequence number already received.
     *
     * @return count.
     */
    public long duplicates()
    {
        return duplicates;
    }

    /**
     * First arrivals of a sequence number below the highest one already received.
     *
     * @return count.
     */
    public long reordered()
    {
        return reordered;
    }

    /**
     * Arrivals too far behind the highest to tell a duplicate from a late first arrival.
     *
     * @return count.
     */
    public long tooLate()
    {
        return tooLate;
    }
}
