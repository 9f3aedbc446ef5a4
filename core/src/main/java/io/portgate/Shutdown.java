package io.portgate;

import io.portgate.conductor.WorkerProxy;
import org.agrona.concurrent.AgentRunner;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * How a balancer stops: it stops accepting, lets what is open finish until the drain's deadline, then closes the
 * rest; a second call while the first drains moves the deadline forward and waits for the same end.
 */
final class Shutdown
{
    private static final System.Logger LOG = System.getLogger("io.portgate");
    private static final long STOP_ACCEPTING_WAIT_MS = 5_000;
    private static final long DRAIN_POLL_MS = 10;
    private static final long NO_DEADLINE = Long.MIN_VALUE;
    /** A drain longer than this (about 146 years) is as good as endless; capped so a deadline cannot overflow. */
    private static final long MAX_DRAIN_NS = Long.MAX_VALUE / 2;

    private final WorkerProxy[] workers;
    private final AtomicBoolean started = new AtomicBoolean();
    /** Counted down once the first close has closed every socket, for a call that hurries it. */
    private final CountDownLatch fullyClosed = new CountDownLatch(1);
    /** When the drain ends, on {@link System#nanoTime()}; the earliest any call to close asked for. */
    private final AtomicLong drainDeadlineNs = new AtomicLong(NO_DEADLINE);
    /** Whether a second call to close cut the drain short. */
    private volatile boolean hurried;

    Shutdown(final WorkerProxy[] workers)
    {
        this.workers = workers;
    }

    /**
     * Closes once: the first call runs {@code stop} on its thread; a later one hurries it and waits for it.
     *
     * @param drain how long from now open connections may take to finish.
     * @param stop  what the first call does.
     */
    void close(final Duration drain, final Runnable stop)
    {
        if (!started.compareAndSet(false, true))
        {
            drainBy(drain, true);
            awaitClosed();
            return;
        }
        drainBy(drain, false);
        try
        {
            stop.run();
        }
        finally
        {
            fullyClosed.countDown();
        }
    }

    /**
     * The conductor stops first, so from then on the calling thread is the workers' only producer; they stop
     * accepting, what is open drains until the deadline, then the workers close everything on their own threads.
     *
     * @param conductor the conductor's runner.
     * @param runners   the workers' runners.
     * @param open      how many connections and flows are still open.
     */
    void stop(final AgentRunner conductor, final AgentRunner[] runners, final LongSupplier open)
    {
        conductor.close();
        final CountDownLatch stopped = new CountDownLatch(workers.length);
        for (final WorkerProxy worker : workers)
        {
            worker.stopAccepting(stopped::countDown);
        }
        try
        {
            final long giveUpNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STOP_ACCEPTING_WAIT_MS);
            while (!stopped.await(1, TimeUnit.MILLISECONDS) && System.nanoTime() - giveUpNs < 0)
            {
                for (final WorkerProxy worker : workers)
                {
                    worker.flush();
                }
            }
            // The deadline is read on every poll: a later call to close may bring it forward.
            while (open.getAsLong() > 0 && System.nanoTime() - drainDeadlineNs.get() < 0)
            {
                Thread.sleep(DRAIN_POLL_MS);
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        final long left = open.getAsLong();
        if (left > 0)
        {
            LOG.log(System.Logger.Level.INFO, hurried ?
                "stop hurried: closing {0} open connection(s) and flow(s) now" :
                "drain timeout reached: closing {0} open connection(s) and flow(s)", String.valueOf(left));
        }
        for (final WorkerProxy worker : workers)
        {
            worker.worker().wakeForClose();
        }
        for (final AgentRunner runner : runners)
        {
            // Closing the runner runs the worker's onClose on its own thread: connections, listening sockets and
            // the event source are closed there, where they belong.
            runner.close();
        }
    }

    /** Asks for the drain to end by {@code drain} from now; the earliest deadline asked for wins. */
    private void drainBy(final Duration drain, final boolean hurries)
    {
        final long drainNs = drain.isNegative() ? 0 :
            drain.compareTo(Duration.ofNanos(MAX_DRAIN_NS)) > 0 ? MAX_DRAIN_NS : drain.toNanos();
        final long asked = System.nanoTime() + drainNs;
        final long before = drainDeadlineNs.get();
        if (hurries && (before == NO_DEADLINE || asked - before < 0))
        {
            // Before the deadline moves, so the drain loop that sees it also sees why.
            hurried = true;
        }
        drainDeadlineNs.accumulateAndGet(asked, (current, now) ->
            current == NO_DEADLINE || now - current < 0 ? now : current);
    }

    private void awaitClosed()
    {
        boolean interrupted = false;
        while (true)
        {
            try
            {
                fullyClosed.await();
                break;
            }
            catch (final InterruptedException ex)
            {
                // Returning before the sockets are closed would break this method's promise; keep the interrupt.
                interrupted = true;
            }
        }
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
    }
}
