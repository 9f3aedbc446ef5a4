package io.portgate.tcp;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The global limit on bytes of connection buffers, shared by all workers. Workers reserve memory when their pools
 * grow and give it back when they shrink, not per read, so the shared counter is touched rarely.
 */
public final class MemoryBudget
{
    private final long limit;
    private final AtomicLong used = new AtomicLong();
    private final AtomicLong highWater = new AtomicLong();

    /**
     * Creates a budget.
     *
     * @param limit most bytes that may be reserved at once.
     */
    public MemoryBudget(final long limit)
    {
        this.limit = limit;
    }

    /**
     * Reserves bytes if the limit allows.
     *
     * @param bytes how many.
     * @return true when reserved; false leaves the budget unchanged.
     */
    public boolean tryReserve(final long bytes)
    {
        while (true)
        {
            final long current = used.get();
            final long next = current + bytes;
            if (next > limit)
            {
                return false;
            }
            if (used.compareAndSet(current, next))
            {
                highWater.accumulateAndGet(next, Math::max);
                return true;
            }
        }
    }

    /**
     * Gives reserved bytes back.
     *
     * @param bytes how many.
     */
    public void release(final long bytes)
    {
        used.addAndGet(-bytes);
    }

    /** @return the limit, bytes. */
    public long limit()
    {
        return limit;
    }

    /** @return bytes reserved now. */
    public long used()
    {
        return used.get();
    }

    /** @return the most bytes ever reserved at once. */
    public long highWater()
    {
        return highWater.get();
    }
}
