package io.portgate.access;

import org.jctools.queues.atomic.SpscAtomicArrayQueue;

import java.util.concurrent.atomic.AtomicLong;

/**
 * One worker's way out for access records: a fixed pool of preallocated {@link AccessRecord}s that circulate
 * between the worker (the only producer) and the {@link AccessLogWriter} (the only consumer) through two JCTools
 * single-producer single-consumer queues, one carrying filled records to the writer and one carrying them back.
 *
 * <p>The producer side never allocates and never waits: {@link #claim()} takes a free record or, when every record
 * is still queued or being written, answers null and counts the record as {@link #dropped()}. Why JCTools queues of
 * record objects rather than an Agrona ring buffer of bytes: the records stay typed (setters, no hand-kept offsets),
 * the design asks for JCTools, and the atomic (VarHandle-based) variant needs no {@code sun.misc.Unsafe} and
 * no JVM flag in an embedding application. A record costs one offer and one poll each way; that is once per
 * connection, not per byte.
 *
 * <p>Threads: {@link #claim()}, {@link #commit}, {@link #abort} on the producer (worker) thread only;
 * {@link #poll()} and {@link #recycle} on the consumer (writer) thread only; the counters from any thread.
 */
public final class AccessLogQueue
{
    private final SpscAtomicArrayQueue<AccessRecord> filled;
    private final SpscAtomicArrayQueue<AccessRecord> free;
    private final int capacity;
    private final AtomicLong committed = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    /** A record claimed and aborted, kept by the producer for its next claim (it may not offer to {@link #free}). */
    private AccessRecord spare;

    /**
     * A queue with its records.
     *
     * @param capacity how many records may wait for the writer at once, at least 1; all are allocated now.
     */
    public AccessLogQueue(final int capacity)
    {
        if (capacity < 1 || capacity > 1 << 24)
        {
            throw new IllegalArgumentException("an access log queue holds 1 to 2^24 records, not " + capacity);
        }
        this.capacity = capacity;
        this.filled = new SpscAtomicArrayQueue<>(capacity);
        this.free = new SpscAtomicArrayQueue<>(capacity);
        for (int i = 0; i < capacity; i++)
        {
            free.offer(new AccessRecord());
        }
    }

    /**
     * Takes a cleared record to fill. Producer thread only.
     *
     * @return the record, or null when none is free: the record is then dropped and counted.
     */
    public AccessRecord claim()
    {
        AccessRecord record = spare;
        if (record != null)
        {
            spare = null;
        }
        else
        {
            record = free.relaxedPoll();
            if (record == null)
            {
                dropped.setRelease(dropped.getPlain() + 1);
                return null;
            }
        }
        return record.clear();
    }

    /**
     * Passes a filled record to the writer. Producer thread only.
     *
     * @param record a record from {@link #claim()}.
     */
    public void commit(final AccessRecord record)
    {
        // The queue holds as many as there are records, so this fails only if a record was committed twice.
        if (!filled.relaxedOffer(record))
        {
            spare = record;
            dropped.setRelease(dropped.getPlain() + 1);
            return;
        }
        committed.setRelease(committed.getPlain() + 1);
    }

    /**
     * Gives back a claimed record unused. Producer thread only.
     *
     * @param record a record from {@link #claim()}.
     */
    public void abort(final AccessRecord record)
    {
        spare = record;
    }

    /**
     * The next filled record. Consumer thread only.
     *
     * @return the record, or null when none is waiting.
     */
    AccessRecord poll()
    {
        return filled.relaxedPoll();
    }

    /**
     * Gives a written record back to the producer. Consumer thread only.
     *
     * @param record a record from {@link #poll()}.
     */
    void recycle(final AccessRecord record)
    {
        free.relaxedOffer(record);
    }

    /** @return how many records it holds. */
    public int capacity()
    {
        return capacity;
    }

    /** @return records committed, from any thread. */
    public long committed()
    {
        return committed.getAcquire();
    }

    /** @return records dropped because the writer was behind, from any thread. */
    public long dropped()
    {
        return dropped.getAcquire();
    }
}
