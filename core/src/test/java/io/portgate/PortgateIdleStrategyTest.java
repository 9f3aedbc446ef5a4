package io.portgate;

import io.portgate.config.FastPath;
import io.portgate.config.IdleStrategyName;
import io.portgate.testing.EchoServer;
import io.portgate.testing.Exchange;
import io.portgate.testing.TestConfigs;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every idle strategy forwards, wakes for new connections after idling, and fires timeouts. */
class PortgateIdleStrategyTest
{
    /**
     * Waits until every worker thread idles the deepest way its strategy knows, as its stack shows: parked (backoff,
     * after its spins and yields), asleep (sleep), in the kernel's epoll_wait (block); a spinning worker is never
     * deeper than it is now.
     */
    private static void awaitDeepestIdle(final IdleStrategyName strategy) throws InterruptedException
    {
        if (strategy == IdleStrategyName.SPIN)
        {
            return;
        }
        final String frame = switch (strategy)
        {
            case BACKOFF -> "parkNanos";
            case SLEEP -> "sleep";
            default -> "wait";
        };
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!allWorkersIn(frame))
        {
            assertTrue(System.nanoTime() - deadline < 0, "the workers never idled in " + frame + "()");
            Thread.onSpinWait();
        }
    }

    private static boolean allWorkersIn(final String method)
    {
        int workers = 0;
        for (final Map.Entry<Thread, StackTraceElement[]> thread : Thread.getAllStackTraces().entrySet())
        {
            if (!thread.getKey().getName().startsWith("portgate-worker-"))
            {
                continue;
            }
            workers++;
            if (Arrays.stream(thread.getValue()).limit(12).noneMatch(f -> f.getMethodName().equals(method)))
            {
                return false;
            }
        }
        return workers > 0;
    }

    @ParameterizedTest
    @EnumSource(IdleStrategyName.class)
    @Timeout(60)
    void forwardsAfterIdlingAndFiresTimeouts(final IdleStrategyName strategy) throws Exception
    {
        try (EchoServer echo = EchoServer.start();
            Portgate portgate = Portgate.start(TestConfigs.tcp(FastPath.OFF, 2,
                l -> l.idleTimeout(Duration.ofMillis(300)), g -> g.idleStrategy(strategy), echo.port())))
        {
            final InetSocketAddress front = portgate.boundAddresses(TestConfigs.LISTENER).getFirst();
            for (int i = 0; i < 3; i++)
            {
                awaitDeepestIdle(strategy);
                final byte[] payload = Exchange.random(10_000);
                assertArrayEquals(payload, Exchange.roundTrip(front, payload));
            }
            try (SocketChannel quiet = SocketChannel.open(front))
            {
                assertEquals(0, Exchange.readToEnd(quiet, 0).length, "closed by the idle timeout");
            }
            assertEquals(1, portgate.stats().listener(TestConfigs.LISTENER).idleTimeouts());
        }
    }
}
