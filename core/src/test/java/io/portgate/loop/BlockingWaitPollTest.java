package io.portgate.loop;

import io.portgate.config.IdleStrategyName;
import org.agrona.concurrent.AgentRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 12: with {@code idle-strategy: block}, a worker polls its selector once per wake-up. Each message below
 * wakes a worker that sleeps in its event source; the calls it makes into a real selector are counted.
 */
class BlockingWaitPollTest
{
    private static final int MESSAGES = 300;

    /** A real selector whose polls are counted. */
    private static final class CountingEventSource implements EventSource
    {
        final AtomicInteger polls = new AtomicInteger();
        final AtomicInteger waits = new AtomicInteger();
        private final SelectorEventSource selector;

        CountingEventSource(final java.util.function.Consumer<SelectionKey> dispatch) throws IOException
        {
            selector = new SelectorEventSource(dispatch);
        }

        @Override
        public SelectionKey register(final SelectableChannel channel, final int ops, final IoHandler handler)
            throws IOException
        {
            return selector.register(channel, ops, handler);
        }

        @Override
        public int dispatchReady() throws IOException
        {
            polls.incrementAndGet();
            return selector.dispatchReady();
        }

        @Override
        public int await(final long timeoutMs) throws IOException
        {
            waits.incrementAndGet();
            return selector.await(timeoutMs);
        }

        @Override
        public void wakeup()
        {
            selector.wakeup();
        }

        @Override
        public void close() throws IOException
        {
            selector.close();
        }
    }

    @Test
    @Timeout(60)
    void aWakeUpCostsOneSelectAndHandsTheHandlerAFreshClock() throws Exception
    {
        final ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        final CountingEventSource[] source = new CountingEventSource[1];
        final Worker worker = new Worker(0, System::nanoTime, errors::add, 16, List.of(), dispatch ->
        {
            source[0] = new CountingEventSource(dispatch);
            return source[0];
        });
        final Pipe pipe = Pipe.open();
        final Semaphore handled = new Semaphore(0);
        final AtomicLong sentNs = new AtomicLong();
        final AtomicInteger staleClocks = new AtomicInteger();
        final ByteBuffer in = ByteBuffer.allocate(16);
        pipe.source().configureBlocking(false);
        // Registered before the worker's thread starts, as the forwarders' sockets are by the first command.
        worker.register(pipe.source(), SelectionKey.OP_READ, (key, nowNs) ->
        {
            if (nowNs - sentNs.get() < 0)
            {
                staleClocks.incrementAndGet();
            }
            try
            {
                in.clear();
                pipe.source().read(in);
            }
            catch (final IOException ex)
            {
                throw new IllegalStateException(ex);
            }
            handled.release();
        });
        final AgentRunner runner = new AgentRunner(worker.idleStrategy(IdleStrategyName.BLOCK), errors::add, null,
            worker);
        AgentRunner.startOnThread(runner);
        try
        {
            final ByteBuffer one = ByteBuffer.allocate(1);
            int before = -1;
            for (int i = 0; i < MESSAGES; i++)
            {
                if (i == 10)
                {
                    // The first few wake-ups start the thread; count from a worker asleep in its event source.
                    before = source[0].polls.get() + source[0].waits.get();
                }
                awaitAsleep(worker);
                sentNs.set(System.nanoTime());
                one.clear();
                assertEquals(1, pipe.sink().write(one));
                assertTrue(handled.tryAcquire(10, TimeUnit.SECONDS), "message " + i + " was not handled");
            }
            final int calls = source[0].polls.get() + source[0].waits.get() - before;
            final int messages = MESSAGES - 10;
            // One blocking wait per message; a poll before or after each wait would make it two or three.
            assertTrue(calls <= messages * 5 / 4 + 5, "selector calls for " + messages + " wake-ups: " + calls +
                " (polls " + source[0].polls.get() + ", waits " + source[0].waits.get() + ")");
            assertEquals(0, staleClocks.get(), "a handler got the clock from before the wait");
        }
        finally
        {
            runner.close();
            pipe.sink().close();
            pipe.source().close();
        }
        assertEquals(List.of(), List.copyOf(errors));
    }

    @Test
    @Timeout(60)
    void anIdleWorkerWithATimerArmedSleepsUntilItsDeadline() throws Exception
    {
        final ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        final CountingEventSource[] source = new CountingEventSource[1];
        final Worker worker = new Worker(0, System::nanoTime, errors::add, 16, List.of(), dispatch ->
        {
            source[0] = new CountingEventSource(dispatch);
            return source[0];
        });
        final AgentRunner runner = new AgentRunner(worker.idleStrategy(IdleStrategyName.BLOCK), errors::add, null,
            worker);
        AgentRunner.startOnThread(runner);
        try
        {
            final long delayNs = TimeUnit.MILLISECONDS.toNanos(1500);
            final Semaphore fired = new Semaphore(0);
            final AtomicLong deadline = new AtomicLong();
            final AtomicLong firedAt = new AtomicLong();
            final AtomicInteger wakeUpsBefore = new AtomicInteger();
            // A timer far ahead, as an idle connection's or flow's idle timeout is; another, cancelled at once,
            // due sooner, as a connect timeout is once the connect completes.
            assertTrue(worker.offer(() ->
            {
                wakeUpsBefore.set(source[0].waits.get() + source[0].polls.get());
                final long cancelled = worker.scheduleTimeout(worker.nowNs() + delayNs / 3, (id, now) ->
                    errors.add(new AssertionError("a cancelled timer fired")));
                deadline.set(worker.nowNs() + delayNs);
                worker.scheduleTimeout(deadline.get(), (id, now) ->
                {
                    firedAt.set(now);
                    fired.release();
                });
                worker.cancelTimeout(cancelled);
            }));
            assertTrue(fired.tryAcquire(30, TimeUnit.SECONDS), "the timer never fired");
            final int wakeUps = source[0].waits.get() + source[0].polls.get() - wakeUpsBefore.get();
            assertTrue(firedAt.get() - deadline.get() >= 0, "fired before its deadline");
            // Sleeping in 10 ms steps would take about 150 waits; until the deadline, a handful (the command, the
            // cancelled timer's deadline, the deadline itself).
            assertTrue(wakeUps <= 12, wakeUps + " selector calls while waiting 1.5 s for one timer");
        }
        finally
        {
            runner.close();
        }
        assertEquals(List.of(), List.copyOf(errors));
    }

    /** Until the worker's thread is in the selector's wait. */
    private static void awaitAsleep(final Worker worker) throws InterruptedException
    {
        final long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true)
        {
            final Thread thread = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals(worker.roleName())).findFirst().orElse(null);
            if (thread != null && java.util.Arrays.stream(thread.getStackTrace()).limit(16)
                .anyMatch(f -> f.getMethodName().equals("block")) && thread.getState() == Thread.State.RUNNABLE &&
                java.util.Arrays.stream(thread.getStackTrace()).limit(8).anyMatch(f -> f.getMethodName().contains("wait")))
            {
                return;
            }
            assertTrue(System.nanoTime() - giveUp < 0, "the worker never went to sleep");
            Thread.sleep(1);
        }
    }
}
