package io.portgate.access;

import io.portgate.Portgate;
import io.portgate.config.CidrConfig;
import io.portgate.config.FastPath;
import io.portgate.config.IdleStrategyName;
import io.portgate.config.ListenerConfig;
import io.portgate.config.PoolConfig;
import io.portgate.config.PortgateConfig;
import io.portgate.metrics.Metric;
import io.portgate.testing.EchoServer;
import io.portgate.testing.Exchange;
import io.portgate.testing.FreePorts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reloading rules and limits under traffic: connections open across the reloads keep every byte, new connections
 * meet the rules in force, and the per-source counts carry over a reload (a raised limit admits exactly the
 * difference).
 */
@Timeout(120)
class AccessReloadTest
{
    private static final String LISTENER = "front";

    @Test
    void rulesAndLimitsChangeUnderTrafficWithoutDroppingAnything() throws Exception
    {
        try (EchoServer echo = EchoServer.start())
        {
            final int port = FreePorts.tcp();
            final PortgateConfig open = config(port, echo, l -> l.maxConnectionsPerSource(3));
            final Portgate portgate = Portgate.start(open);
            try
            {
                final InetSocketAddress front = portgate.boundAddresses(LISTENER).getFirst();
                // Traffic throughout: three long-lived connections from 127.0.0.2, each echoing in a loop.
                final AtomicBoolean stop = new AtomicBoolean();
                final AtomicLong echoed = new AtomicLong();
                final List<SocketChannel> busy = new ArrayList<>();
                final List<CompletableFuture<Void>> loops = new ArrayList<>();
                for (int i = 0; i < 3; i++)
                {
                    final SocketChannel channel = TcpAccessTest.connectFrom("127.0.0.2", front);
                    busy.add(channel);
                    loops.add(CompletableFuture.runAsync(() -> echoLoop(channel, stop, echoed),
                        r -> Thread.ofVirtual().start(r)));
                }
                awaitAtLeast(echoed, 30);

                // Deny 127.0.0.3: new connections from it are refused; the busy ones from 127.0.0.2 carry on.
                portgate.reload(config(port, echo, l -> l.maxConnectionsPerSource(3)
                    .deny(CidrConfig.of("deny", "127.0.0.3"))));
                TcpAccessTest.assertRefused(TcpAccessTest.connectFrom("127.0.0.3", front));
                // 127.0.0.2 has its three open: a fourth is refused, so the count survived the reload.
                TcpAccessTest.assertRefused(TcpAccessTest.connectFrom("127.0.0.2", front));

                // A limit of four admits exactly one more from 127.0.0.2.
                portgate.reload(config(port, echo, l -> l.maxConnectionsPerSource(4)));
                try (SocketChannel fourth = TcpAccessTest.connectFrom("127.0.0.2", front))
                {
                    final byte[] payload = Exchange.random(1000);
                    Exchange.writeFully(fourth, payload);
                    assertArrayEquals(payload, Exchange.readExactly(fourth, payload.length));
                    TcpAccessTest.assertRefused(TcpAccessTest.connectFrom("127.0.0.2", front));
                }
                // 127.0.0.3 is served again.
                final byte[] payload = Exchange.random(5000);
                try (SocketChannel channel = TcpAccessTest.connectFrom("127.0.0.3", front))
                {
                    assertArrayEquals(payload, Exchange.roundTrip(channel, payload));
                }

                final long before = echoed.get();
                awaitAtLeast(echoed, before + 30);
                stop.set(true);
                for (final CompletableFuture<Void> loop : loops)
                {
                    loop.join();
                }
                for (final SocketChannel channel : busy)
                {
                    channel.close();
                }
                assertEquals(1, io.portgate.PortgateInternals.metrics(portgate).sum(Metric.ACCESS_REFUSED, "reason", "denied"));
                assertEquals(2, io.portgate.PortgateInternals.metrics(portgate).sum(Metric.ACCESS_REFUSED, "reason", "concurrency_limit"));
                assertEquals(0, io.portgate.PortgateInternals.metrics(portgate).sum(io.portgate.metrics.Metric.TCP_RESETS));
            }
            finally
            {
                portgate.close(Duration.ZERO);
            }
        }
    }

    private static void echoLoop(final SocketChannel channel, final AtomicBoolean stop, final AtomicLong echoed)
    {
        try
        {
            int i = 0;
            while (!stop.get())
            {
                final byte[] payload = Exchange.random(100 + i++ % 900);
                Exchange.writeFully(channel, payload);
                assertArrayEquals(payload, Exchange.readExactly(channel, payload.length));
                echoed.incrementAndGet();
            }
        }
        catch (final java.io.IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
    }

    private static void awaitAtLeast(final AtomicLong counter, final long target) throws InterruptedException
    {
        for (int i = 0; i < 2000 && counter.get() < target; i++)
        {
            Thread.sleep(10);
        }
        assertTrue(counter.get() >= target, "only " + counter.get() + " round trips");
    }

    private static PortgateConfig config(final int port, final EchoServer echo,
        final Consumer<ListenerConfig.Builder> listener)
    {
        final ListenerConfig.Builder l = ListenerConfig.builder(LISTENER).bind("127.0.0.1:" + port).pool("back");
        listener.accept(l);
        return PortgateConfig.builder().workers(1).splice(FastPath.OFF).idleStrategy(IdleStrategyName.BACKOFF)
            .listener(l.build())
            .pool(PoolConfig.builder("back").target(InetAddress.getLoopbackAddress(), echo.port()).build())
            .build();
    }
}
