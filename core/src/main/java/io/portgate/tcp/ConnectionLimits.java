package io.portgate.tcp;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The connection limits per listener and over all listeners, shared by all workers. A limit split per worker would
 * refuse early whenever the kernel spread connections unevenly, so these are shared counters, touched once when a
 * connection is admitted and once when it closes.
 */
public final class ConnectionLimits
{
    private final int globalMax;
    private final int[] listenerMax;
    private final AtomicInteger global;
    private final AtomicInteger[] perListener;

    /**
     * Creates the limits.
     *
     * @param globalMax   most connections over all listeners.
     * @param listenerMax most connections per listener, by listener index.
     */
    public ConnectionLimits(final int globalMax, final int[] listenerMax)
    {
        this(globalMax, listenerMax, new AtomicInteger(), new AtomicInteger[listenerMax.length]);
    }

    private ConnectionLimits(final int globalMax, final int[] listenerMax, final AtomicInteger global,
        final AtomicInteger[] perListener)
    {
        this.globalMax = globalMax;
        this.listenerMax = listenerMax.clone();
        this.global = global;
        this.perListener = perListener;
        for (int l = 0; l < perListener.length; l++)
        {
            if (perListener[l] == null)
            {
                perListener[l] = new AtomicInteger();
            }
        }
    }

    /**
     * The limits after a reload: new maxima and listener indices, over the same counts, so that connections admitted
     * before the reload still count and are given back correctly through either object.
     *
     * @param globalMax   most connections over all listeners.
     * @param listenerMax most connections per listener, by new listener index.
     * @param previous    by new listener index, the index the listener had before, or -1 for a new listener.
     * @return the new limits; this object stays valid for workers that have not switched yet.
     */
    public ConnectionLimits reloaded(final int globalMax, final int[] listenerMax, final int[] previous)
    {
        final AtomicInteger[] counts = new AtomicInteger[listenerMax.length];
        for (int l = 0; l < counts.length; l++)
        {
            counts[l] = previous[l] >= 0 ? perListener[previous[l]] : null;
        }
        return new ConnectionLimits(globalMax, listenerMax, global, counts);
    }

    /**
     * Admits a connection if both limits allow.
     *
     * @param listener the listener index.
     * @return true when admitted; it must later be given back with {@link #release(int)}.
     */
    public boolean tryAcquire(final int listener)
    {
        final AtomicInteger count = perListener[listener];
        if (count.incrementAndGet() > listenerMax[listener])
        {
            count.decrementAndGet();
            return false;
        }
        if (global.incrementAndGet() > globalMax)
        {
            global.decrementAndGet();
            count.decrementAndGet();
            return false;
        }
        return true;
    }

    /**
     * Gives back an admitted connection.
     *
     * @param listener the listener index.
     */
    public void release(final int listener)
    {
        perListener[listener].decrementAndGet();
        global.decrementAndGet();
    }

    /**
     * Connections open over all listeners.
     *
     * @return the count.
     */
    public int open()
    {
        return global.get();
    }
}
