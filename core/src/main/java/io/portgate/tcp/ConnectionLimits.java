package io.portgate.tcp;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * The connection limits per listener and over all listeners, shared by all workers. A limit split per worker would
 * refuse early whenever the kernel spread connections unevenly, so these are shared counters, touched once when a
 * connection is admitted and once when it closes.
 */
public final class ConnectionLimits
{
    private final int globalMax;
    private final int[] listenerMax;
    private final AtomicInteger global = new AtomicInteger();
    private final AtomicIntegerArray perListener;

    /**
     * Creates the limits.
     *
     * @param globalMax   most connections over all listeners.
     * @param listenerMax most connections per listener, by listener index.
     */
    public ConnectionLimits(final int globalMax, final int[] listenerMax)
    {
        this.globalMax = globalMax;
        this.listenerMax = listenerMax.clone();
        this.perListener = new AtomicIntegerArray(listenerMax.length);
    }

    /**
     * Admits a connection if both limits allow.
     *
     * @param listener the listener index.
     * @return true when admitted; it must later be given back with {@link #release(int)}.
     */
    public boolean tryAcquire(final int listener)
    {
        if (perListener.incrementAndGet(listener) > listenerMax[listener])
        {
            perListener.decrementAndGet(listener);
            return false;
        }
        if (global.incrementAndGet() > globalMax)
        {
            global.decrementAndGet();
            perListener.decrementAndGet(listener);
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
        perListener.decrementAndGet(listener);
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
