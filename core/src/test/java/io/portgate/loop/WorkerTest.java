package io.portgate.loop;

import io.portgate.config.IdleStrategyName;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.IdleStrategy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.SelectionKey;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Drives a {@link Worker} by hand, with no thread and a clock the test moves. */
class WorkerTest
{
    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final List<Throwable> errors = new ArrayList<>();
    private final Worker worker = new Worker(0, clock::get, errors::add, 16, List.of());
    private final AgentInvoker invoker = new AgentInvoker(errors::add, null, worker);

    @AfterEach
    void close()
    {
        invoker.close();
        assertEquals(List.of(), errors);
    }

    @Test
    @Timeout(10)
    void timeoutFiresOnceItsDeadlineHasPassedAndNotBefore()
    {
        invoker.start();
        final List<Long> fired = new ArrayList<>();
        final long timerId = worker.scheduleTimeout(clock.get() + 50_000_000L, (id, now) -> fired.add(now));
        invoker.invoke();
        clock.addAndGet(49_000_000L);
        invoker.invoke();
        assertEquals(List.of(), fired);
        clock.addAndGet(5_000_000L);
        invoker.invoke();
        invoker.invoke();
        assertEquals(List.of(clock.get()), fired);
        worker.cancelTimeout(timerId);
    }

    @Test
    @Timeout(10)
    void cancelledTimeoutNeverFires()
    {
        invoker.start();
        final List<Long> fired = new ArrayList<>();
        final long timerId = worker.scheduleTimeout(clock.get() + 1_000_000L, (id, now) -> fired.add(now));
        worker.cancelTimeout(timerId);
        clock.addAndGet(10_000_000_000L);
        invoker.invoke();
        assertEquals(List.of(), fired);
    }

    @Test
    @Timeout(10)
    void timeoutFarAheadFiresAfterALongPause()
    {
        invoker.start();
        final List<Long> fired = new ArrayList<>();
        worker.scheduleTimeout(clock.get() + TimeUnit.SECONDS.toNanos(3), (id, now) -> fired.add(now));
        clock.addAndGet(TimeUnit.SECONDS.toNanos(2));
        invoker.invoke();
        assertEquals(List.of(), fired);
        clock.addAndGet(TimeUnit.SECONDS.toNanos(2));
        invoker.invoke();
        invoker.invoke();
        assertEquals(1, fired.size());
    }

    @Test
    @Timeout(10)
    void commandsRunOnTheNextDutyCycle()
    {
        invoker.start();
        final List<String> ran = new ArrayList<>();
        assertTrue(worker.offer(() -> ran.add("a")));
        assertTrue(worker.offer(() -> ran.add("b")));
        assertEquals(List.of(), ran);
        assertTrue(invoker.invoke() >= 2);
        assertEquals(List.of("a", "b"), ran);
    }

    @Test
    @Timeout(10)
    void readyKeyIsDispatchedToItsHandlerWithTheCycleClock() throws IOException
    {
        invoker.start();
        final Pipe pipe = Pipe.open();
        try
        {
            pipe.source().configureBlocking(false);
            final List<Long> calls = new ArrayList<>();
            worker.register(pipe.source(), SelectionKey.OP_READ, (key, now) ->
            {
                calls.add(now);
                try
                {
                    pipe.source().read(ByteBuffer.allocate(16));
                }
                catch (final IOException ex)
                {
                    throw new IllegalStateException(ex);
                }
            });
            invoker.invoke();
            assertEquals(List.of(), calls);
            pipe.sink().write(ByteBuffer.wrap(new byte[] {1}));
            clock.addAndGet(123);
            invoker.invoke();
            assertEquals(List.of(clock.get()), calls);
            invoker.invoke();
            assertEquals(1, calls.size(), "level-triggered: nothing more once read");
        }
        finally
        {
            pipe.source().close();
            pipe.sink().close();
        }
    }

    @Test
    @Timeout(10)
    void commandQueueIsBounded()
    {
        int offered = 0;
        while (worker.offer(() -> { }))
        {
            offered++;
        }
        assertEquals(16, offered);
        assertFalse(worker.offer(() -> { }));
    }

    @Test
    @Timeout(20)
    void blockingWorkerWakesForACommand() throws InterruptedException
    {
        final Worker blocking = new Worker(1, System::nanoTime, errors::add, 16, List.of());
        final IdleStrategy idle = blocking.idleStrategy(IdleStrategyName.BLOCK);
        final AgentRunner runner = new AgentRunner(idle, errors::add, null, blocking);
        AgentRunner.startOnThread(runner);
        try
        {
            for (int i = 0; i < 3; i++)
            {
                final CountDownLatch ran = new CountDownLatch(1);
                Thread.sleep(50);
                assertTrue(blocking.offer(ran::countDown));
                assertTrue(ran.await(5, TimeUnit.SECONDS));
            }
        }
        finally
        {
            runner.close();
        }
    }
}
