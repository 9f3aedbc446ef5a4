package io.portgate.conductor;

import io.portgate.spi.EventListener;
import io.portgate.spi.PortgateEvent;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Delivers events to an embedder's {@link EventListener} off the data path and off the control thread: producers
 * (the conductor, the facade) offer to a bounded queue without blocking, and one thread of its own
 * ({@code portgate-events}) calls the listener, one event at a time, in the order they were offered. Without a
 * listener nothing is queued and no thread runs.
 */
public final class Events implements AutoCloseable
{
    private static final System.Logger LOG = System.getLogger("io.portgate");
    private static final long CLOSE_WAIT_MS = 5_000;
    /** Queued last by {@link #close()}: the thread stops when it gets there, so it never wakes up idle. */
    private static final Object END = new Object();

    private final EventListener listener;
    private final BlockingQueue<Object> queue;
    private final AtomicLong dropped = new AtomicLong();
    private final Thread thread;
    private volatile boolean closing;

    /**
     * Starts delivering to a listener.
     *
     * @param listener the listener, or null for none.
     * @param capacity how many events may wait; past it, new ones are dropped and counted.
     */
    public Events(final EventListener listener, final int capacity)
    {
        this.listener = listener;
        this.queue = listener == null ? null : new ArrayBlockingQueue<>(capacity);
        if (listener == null)
        {
            thread = null;
            return;
        }
        thread = new Thread(this::deliver, "portgate-events");
        thread.setDaemon(true);
        thread.start();
    }

    /** @return events without a listener: publishing does nothing. */
    public static Events none()
    {
        return new Events(null, 1);
    }

    /**
     * Queues an event for the listener. Never blocks; any thread.
     *
     * @param event the event.
     */
    public void publish(final PortgateEvent event)
    {
        if (queue != null && !closing && !queue.offer(event) && dropped.getAndIncrement() == 0)
        {
            LOG.log(System.Logger.Level.WARNING, "the event listener falls behind: events are dropped while " +
                "{0} wait", queue.size());
        }
    }

    /** @return events dropped because the queue was full. */
    public long dropped()
    {
        return dropped.get();
    }

    private void deliver()
    {
        while (true)
        {
            final Object next;
            try
            {
                next = queue.take();
            }
            catch (final InterruptedException ex)
            {
                return;
            }
            if (next == END)
            {
                return;
            }
            final PortgateEvent event = (PortgateEvent)next;
            try
            {
                listener.onEvent(event);
            }
            catch (final RuntimeException ex)
            {
                LOG.log(System.Logger.Level.WARNING, "the event listener threw on " + event, ex);
            }
        }
    }

    /** Delivers what is queued (waiting a few seconds at most), then stops the thread. */
    @Override
    public void close()
    {
        if (thread == null || closing)
        {
            return;
        }
        closing = true;
        try
        {
            // The end marker queues behind every event; a full queue gets a few seconds for the listener to make
            // room, then the thread is interrupted.
            if (!queue.offer(END, CLOSE_WAIT_MS, TimeUnit.MILLISECONDS))
            {
                thread.interrupt();
            }
            thread.join(CLOSE_WAIT_MS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
