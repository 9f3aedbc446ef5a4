package io.portgate.loop;

import io.portgate.config.IdleStrategyName;
import org.agrona.DeadlineTimerWheel;
import org.agrona.ErrorHandler;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.atomic.MpscAtomicArrayQueue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One forwarder loop: owns an {@link EventSource}, a timer wheel and a command queue, and runs the
 * {@link LoopService}s that live on it. Everything it holds is touched by its own thread only, except
 * {@link #offer(WorkerCommand)}, which any thread may call.
 *
 * <p>A duty cycle reads the clock once, runs the commands, dispatches ready channels (nothing is allocated per ready
 * channel), expires timeouts and lets each service do its own work. In {@code block} mode a duty cycle that found
 * nothing goes straight to a blocking wait, which dispatches what is ready when it ends (with a fresh clock reading),
 * and the duty cycle after it does not poll again: one {@code epoll_wait} per wake-up, not a poll before and after
 * each wait. Commands come through a JCTools
 * {@link MpscAtomicArrayQueue}: many producers (the conductor, a stop), this loop the one consumer.
 */
public final class Worker implements Agent
{
    /** Tick of the timer wheel: 2^20 ns, about a millisecond, far finer than any timeout a balancer arms. */
    private static final long TICK_NS = 1L << 20;
    private static final int TICKS_PER_WHEEL = 1024;
    private static final int EXPIRY_LIMIT = 1024;
    /** Bounds the catch-up after a long block so one duty cycle never spins through a huge backlog of ticks. */
    private static final int MAX_TICKS_PER_CYCLE = 4096;
    private static final int COMMAND_LIMIT = 64;
    /**
     * In block mode, with timers armed, the loop sleeps until the earliest deadline, which a scan of the wheel finds;
     * it scans at most once in this period, and sleeps at most this long when it may not scan yet.
     */
    private static final long BLOCK_WITH_TIMERS_MS = 10;
    private static final long BLOCK_WITH_TIMERS_NS = TimeUnit.MILLISECONDS.toNanos(BLOCK_WITH_TIMERS_MS);
    private static final long BLOCK_IDLE_MS = TimeUnit.SECONDS.toMillis(1);

    private final String roleName;
    private final int index;
    private final NanoClock clock;
    private final Long2ObjectHashMap<TimeoutHandler> timeoutHandlers = new Long2ObjectHashMap<>();
    private final ErrorHandler errorHandler;
    private final List<LoopService> services;
    private final MessagePassingQueue.Consumer<WorkerCommand> runCommand = this::runCommand;
    private final MpscAtomicArrayQueue<WorkerCommand> commands;
    private final DeadlineTimerWheel timers;
    private final EventSource events;
    private final DeadlineTimerWheel.TimerHandler expireTimer = this::onTimerExpiry;
    private final DeadlineTimerWheel.TimerConsumer earliestTimer = this::onTimerScanned;
    /** No armed timer is due before this: a lower bound of the earliest deadline, exact right after a scan. */
    private long timerFloorNs;
    private long lastTimerScanNs;
    private long scannedFloorNs;
    private boolean scannedAny;
    private long nowNs;
    /** Set before a blocking wait: the first channel it dispatches reads the clock again. */
    private boolean clockStale;
    /** Set after a blocking wait: it polled the channels just now, so the next duty cycle does not. */
    private boolean justPolled;
    private volatile boolean blocking;
    private volatile boolean closing;

    /**
     * Creates a worker; its event source opens now so a failure shows before any thread starts.
     *
     * @param index           its index, used in its name.
     * @param clock           the clock, injected so tests move time by hand.
     * @param errorHandler    where unexpected errors go.
     * @param commandCapacity how many commands may wait at once (rounded up to a power of two).
     * @param services        the transports that live on it.
     */
    public Worker(
        final int index,
        final NanoClock clock,
        final ErrorHandler errorHandler,
        final int commandCapacity,
        final List<LoopService> services)
    {
        this(index, clock, errorHandler, commandCapacity, services, SelectorEventSource::new);
    }

    /**
     * Creates a worker on an event source of the caller's choosing (a test counts the calls to one).
     *
     * @param index           its index, used in its name.
     * @param clock           the clock.
     * @param errorHandler    where unexpected errors go.
     * @param commandCapacity how many commands may wait at once.
     * @param services        the transports that live on it.
     * @param events          opens its event source.
     */
    Worker(
        final int index,
        final NanoClock clock,
        final ErrorHandler errorHandler,
        final int commandCapacity,
        final List<LoopService> services,
        final EventSourceFactory events)
    {
        this.index = index;
        this.roleName = "portgate-worker-" + index;
        this.clock = clock;
        this.errorHandler = errorHandler;
        this.services = List.copyOf(services);
        this.commands = new MpscAtomicArrayQueue<>(commandCapacity);
        this.nowNs = clock.nanoTime();
        this.timers = new DeadlineTimerWheel(TimeUnit.NANOSECONDS, nowNs, TICK_NS, TICKS_PER_WHEEL);
        try
        {
            this.events = events.open(this::onReadyKey);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot open a selector for " + roleName, ex);
        }
    }

    /** Opens a worker's event source, given what handles a ready key. */
    @FunctionalInterface
    interface EventSourceFactory
    {
        EventSource open(java.util.function.Consumer<SelectionKey> dispatch) throws IOException;
    }

    /**
     * The idle strategy a runner of this worker should use.
     *
     * @param name the configured strategy.
     * @return a new strategy; for {@code block} one that sleeps in this worker's event source.
     */
    public IdleStrategy idleStrategy(final IdleStrategyName name)
    {
        return switch (name)
        {
            case BACKOFF -> new BackoffIdleStrategy();
            case SPIN -> new BusySpinIdleStrategy();
            case SLEEP -> new SleepingMillisIdleStrategy(1);
            case BLOCK -> new BlockingIdleStrategy();
        };
    }

    @Override
    public String roleName()
    {
        return roleName;
    }

    /**
     * The worker's index among all workers.
     *
     * @return 0-based index.
     */
    public int index()
    {
        return index;
    }

    /**
     * Watches a channel on this worker's event source. Worker thread only (or before the worker starts).
     *
     * @param channel a non-blocking channel.
     * @param ops     the interest operations, 0 for none yet.
     * @param handler told on this worker's thread when the channel is ready.
     * @return the registration.
     * @throws IOException when the channel cannot be watched.
     */
    public SelectionKey register(final SelectableChannel channel, final int ops, final IoHandler handler)
        throws IOException
    {
        return events.register(channel, ops, handler);
    }

    /**
     * The clock as read at the start of the current duty cycle.
     *
     * @return nanoseconds.
     */
    public long nowNs()
    {
        return nowNs;
    }

    /**
     * The error handler of this worker.
     *
     * @return the handler unexpected errors go to.
     */
    public ErrorHandler errorHandler()
    {
        return errorHandler;
    }

    /**
     * Hands the worker a command to run on its thread. Any thread may call it.
     *
     * @param command the command.
     * @return false when the queue is full; the caller keeps it and tries again later.
     */
    public boolean offer(final WorkerCommand command)
    {
        final boolean added = commands.offer(command);
        if (added && blocking)
        {
            events.wakeup();
        }
        return added;
    }

    /**
     * Arms a timeout. Worker thread only.
     *
     * @param deadlineNs when it fires, on this worker's clock.
     * @param handler    what is called then.
     * @return the timer id, for {@link #cancelTimeout(long)}.
     */
    public long scheduleTimeout(final long deadlineNs, final TimeoutHandler handler)
    {
        if (timers.timerCount() == 0 || deadlineNs - timerFloorNs < 0)
        {
            timerFloorNs = deadlineNs;
        }
        final long timerId = timers.scheduleTimer(deadlineNs);
        timeoutHandlers.put(timerId, handler);
        return timerId;
    }

    /**
     * Disarms a timeout that has not fired. Worker thread only.
     *
     * @param timerId the id from {@link #scheduleTimeout}; {@link DeadlineTimerWheel#NULL_DEADLINE} is ignored.
     */
    public void cancelTimeout(final long timerId)
    {
        if (timerId != DeadlineTimerWheel.NULL_DEADLINE && timers.cancelTimer(timerId))
        {
            timeoutHandlers.remove(timerId);
        }
    }

    @Override
    public void onStart()
    {
        nowNs = clock.nanoTime();
        timers.currentTickTime(nowNs);
        for (final LoopService service : services)
        {
            service.open(this);
        }
    }

    @Override
    public int doWork() throws IOException
    {
        nowNs = clock.nanoTime();
        int work = commands.drain(runCommand, COMMAND_LIMIT);
        if (justPolled)
        {
            // The blocking wait that just ended handled what was ready; what became ready since, the next wait
            // (which returns at once then) handles.
            justPolled = false;
        }
        else
        {
            work += events.dispatchReady();
        }
        work += pollTimers(nowNs);
        for (int i = 0, n = services.size(); i < n; i++)
        {
            work += services.get(i).doWork(nowNs);
        }
        return work;
    }

    @Override
    public void onClose()
    {
        for (final LoopService service : services)
        {
            try
            {
                service.close();
            }
            catch (final RuntimeException ex)
            {
                errorHandler.onError(ex);
            }
        }
        closeEvents();
        // Commands still queued are dropped: they refer to services that are now closed.
        commands.clear();
    }

    /** Closes the event source of a worker that never started, when a start fails half-way. */
    public void closeEvents()
    {
        try
        {
            // Closing the selector deregisters every key, which completes the close of channels closed while
            // registered; without it their file descriptors would stay open.
            events.close();
        }
        catch (final IOException ex)
        {
            errorHandler.onError(ex);
        }
    }

    /**
     * Keeps a worker in {@code block} mode from sleeping from now on, so that closing its runner does not wait out a
     * sleep (up to a second when no timer is armed). Any thread may call it.
     */
    public void wakeForClose()
    {
        closing = true;
        events.wakeup();
    }

    /** Tells every service to stop accepting; runs on the worker thread as a command. */
    public void stopAccepting()
    {
        for (final LoopService service : services)
        {
            service.stopAccepting();
        }
    }

    private void onReadyKey(final SelectionKey key)
    {
        if (clockStale)
        {
            clockStale = false;
            nowNs = clock.nanoTime();
        }
        try
        {
            ((IoHandler)key.attachment()).onReady(key, nowNs);
        }
        catch (final RuntimeException ex)
        {
            errorHandler.onError(ex);
        }
    }

    private void runCommand(final WorkerCommand command)
    {
        try
        {
            command.execute();
        }
        catch (final RuntimeException ex)
        {
            errorHandler.onError(ex);
        }
    }

    private int pollTimers(final long nowNs)
    {
        if (timers.timerCount() == 0)
        {
            timers.currentTickTime(nowNs);
            return 0;
        }
        int expired = 0;
        for (int i = 0; i < MAX_TICKS_PER_CYCLE && nowNs >= timers.currentTickTime(); i++)
        {
            // The wheel advances one tick per poll, so after a pause it takes one poll per tick missed.
            expired += timers.poll(nowNs, expireTimer, EXPIRY_LIMIT);
        }
        return expired;
    }

    private boolean onTimerExpiry(final TimeUnit unit, final long now, final long timerId)
    {
        final TimeoutHandler handler = timeoutHandlers.remove(timerId);
        if (handler != null)
        {
            try
            {
                handler.onTimeout(timerId, now);
            }
            catch (final RuntimeException ex)
            {
                errorHandler.onError(ex);
            }
        }
        return true;
    }

    private void block()
    {
        blocking = true;
        try
        {
            if (!commands.isEmpty() || closing)
            {
                return;
            }
            clockStale = true;
            events.await(timers.timerCount() > 0 ? untilNextTimerMs() : BLOCK_IDLE_MS);
            justPolled = true;
        }
        catch (final IOException ex)
        {
            errorHandler.onError(ex);
        }
        finally
        {
            clockStale = false;
            blocking = false;
        }
    }

    /**
     * How long a blocking wait may last with timers armed: until the earliest deadline, so that an idle worker with
     * open connections or flows wakes when one of their timers is due rather than every few milliseconds. A cancelled
     * or expired timer leaves the floor behind; the wheel is scanned again then, at most once per
     * {@link #BLOCK_WITH_TIMERS_MS} (a scan visits every timer).
     */
    private long untilNextTimerMs()
    {
        final long now = clock.nanoTime();
        if (timerFloorNs - now <= 0)
        {
            if (now - lastTimerScanNs < BLOCK_WITH_TIMERS_NS)
            {
                return BLOCK_WITH_TIMERS_MS;
            }
            lastTimerScanNs = now;
            scannedAny = false;
            timers.forEach(earliestTimer);
            timerFloorNs = scannedAny ? scannedFloorNs : now + TimeUnit.MILLISECONDS.toNanos(BLOCK_IDLE_MS);
        }
        // Rounded up to the millisecond: waking before the deadline would only sleep again.
        return Math.clamp((timerFloorNs - now + 999_999) / 1_000_000, 1, BLOCK_IDLE_MS);
    }

    private void onTimerScanned(final long deadlineNs, final long timerId)
    {
        if (!scannedAny || deadlineNs - scannedFloorNs < 0)
        {
            scannedFloorNs = deadlineNs;
            scannedAny = true;
        }
    }

    /** Sleeps in the event source until a channel is ready, a command arrives or a timer is due. */
    private final class BlockingIdleStrategy implements IdleStrategy
    {
        @Override
        public void idle(final int workCount)
        {
            if (workCount <= 0)
            {
                block();
            }
        }

        @Override
        public void idle()
        {
            block();
        }

        @Override
        public void reset()
        {
        }

        @Override
        public String alias()
        {
            return "block";
        }
    }
}
