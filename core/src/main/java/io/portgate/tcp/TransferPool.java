package io.portgate.tcp;

import io.portgate.ffm.LibC;

import java.lang.foreign.MemorySegment;

/**
 * One worker's pool of transfers of one size. A transfer is taken when a direction has bytes to move and given back
 * as soon as it is empty, so an idle connection holds no buffer. New transfers are reserved against the global
 * {@link MemoryBudget}; the pool keeps at most {@code retainBytes} of empty ones and gives the rest back, so one
 * worker cannot sit on memory another needs. Worker thread only.
 */
abstract class TransferPool
{
    private final MemoryBudget budget;
    private final int size;
    private final Transfer[] free;
    private int freeCount;

    TransferPool(final MemoryBudget budget, final int size, final long retainBytes)
    {
        this.budget = budget;
        this.size = size;
        this.free = new Transfer[(int)Math.max(1, Math.min(4096, retainBytes / size))];
    }

    /**
     * A pool of off-heap buffers for the plain NIO path.
     *
     * @param budget      the global budget.
     * @param size        bytes per buffer.
     * @param retainBytes most bytes of empty buffers kept.
     * @return the pool.
     */
    static TransferPool nio(final MemoryBudget budget, final int size, final long retainBytes)
    {
        return new TransferPool(budget, size, retainBytes)
        {
            @Override
            Transfer create(final int capacity)
            {
                return new NioTransfer(capacity);
            }
        };
    }

    /**
     * A pool of pipes for the splice path.
     *
     * @param budget      the global budget.
     * @param size        the pipe capacity asked for.
     * @param retainBytes most bytes of empty pipes kept.
     * @return the pool.
     */
    static TransferPool splice(final MemoryBudget budget, final int size, final long retainBytes)
    {
        final MemorySegment callState = LibC.newCallState();
        return new TransferPool(budget, size, retainBytes)
        {
            @Override
            Transfer create(final int capacity)
            {
                return new SpliceTransfer(callState, capacity);
            }
        };
    }

    abstract Transfer create(int capacity);

    /**
     * Takes an empty transfer.
     *
     * @return one, or null when the memory budget is spent.
     */
    Transfer acquire()
    {
        if (freeCount > 0)
        {
            final Transfer transfer = free[--freeCount];
            free[freeCount] = null;
            return transfer;
        }
        if (!budget.tryReserve(size))
        {
            return null;
        }
        final Transfer transfer;
        try
        {
            transfer = create(size);
        }
        catch (final RuntimeException | OutOfMemoryError ex)
        {
            budget.release(size);
            throw ex;
        }
        if (transfer.capacity() > size)
        {
            // The kernel rounds pipe sizes up to a power of two pages: account what was actually granted.
            if (!budget.tryReserve(transfer.capacity() - size))
            {
                budget.release(size);
                transfer.free();
                return null;
            }
        }
        return transfer;
    }

    /**
     * Gives a transfer back; one still holding bytes (a connection closed mid-flight) is dropped, not reused.
     *
     * @param transfer the transfer.
     */
    void release(final Transfer transfer)
    {
        if (transfer.pending() == 0 && freeCount < free.length)
        {
            free[freeCount++] = transfer;
            return;
        }
        drop(transfer);
    }

    /** Frees every empty transfer kept. */
    void close()
    {
        while (freeCount > 0)
        {
            final Transfer transfer = free[--freeCount];
            free[freeCount] = null;
            drop(transfer);
        }
    }

    private void drop(final Transfer transfer)
    {
        final int capacity = Math.max(size, transfer.capacity());
        transfer.free();
        budget.release(capacity);
    }
}
