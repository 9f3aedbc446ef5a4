package io.portgate.tcp;

import io.portgate.balance.BalancerPolicies;
import io.portgate.conductor.ListenerSockets;
import io.portgate.config.ListenerConfig;
import io.portgate.config.PoolConfig;
import io.portgate.loop.TargetFailureListener;
import io.portgate.loop.Worker;
import io.portgate.metrics.RouteCounters;
import io.portgate.testing.EchoServer;
import io.portgate.testing.FreePorts;
import io.portgate.testing.SilentTarget;
import org.agrona.concurrent.AgentInvoker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * One worker's TCP forwarder driven by hand on the test thread, with a clock the test moves: timeouts are shown to
 * depend on the loop's clock alone, not on how long the test takes.
 */
class TcpForwarderByHandTest
{
    private final AtomicLong clock = new AtomicLong(TimeUnit.SECONDS.toNanos(100));
    private final List<Throwable> errors = new ArrayList<>();
    private final List<AutoCloseable> resources = new ArrayList<>();
    private RouteCounters counters;
    private AgentInvoker invoker;
    private InetSocketAddress front;

    @AfterEach
    void close() throws Exception
    {
        if (invoker != null)
        {
            invoker.close();
        }
        for (int i = resources.size() - 1; i >= 0; i--)
        {
            resources.get(i).close();
        }
        assertEquals(List.of(), errors);
    }

    private void startForwarder(final Duration connectTimeout, final Duration idleTimeout, final int... ports)
        throws IOException
    {
        final PoolConfig.Builder pool = PoolConfig.builder("p");
        for (final int port : ports)
        {
            pool.target(InetAddress.getLoopbackAddress(), port);
        }
        final int port = FreePorts.tcp();
        final ListenerConfig listener = ListenerConfig.builder("l").bind("127.0.0.1:" + port).pool("p")
            .connectTimeout(connectTimeout).idleTimeout(idleTimeout).build();
        final TcpRoute route = TcpRoute.of(0, listener, pool.build());
        final ServerSocketChannel channel = ListenerSockets.openTcp(listener.bind().socketAddress(), route);
        front = (InetSocketAddress)channel.getLocalAddress();
        counters = RouteCounters.inMemory(TcpSlots.LAYOUT, ports.length);
        final TcpRouteRuntime runtime = new TcpRouteRuntime(route, counters, TargetFailureListener.NONE,
            new ConnectionLimits(100, new int[] {100}), TcpRouteRuntime.newLatencyRecorder(),
            TcpRouteRuntime.newLatencyRecorder());
        runtime.policy(BalancerPolicies.create(io.portgate.balance.BalanceAlgorithm.fromConfigName(route.balance()), route.targetIds(), route.weights(), runtime, 0));
        final TcpForwarder forwarder = new TcpForwarder(new MemoryBudget(1 << 20), 1 << 18, false);
        final Worker worker = new Worker(0, clock::get, errors::add, 64, List.of(forwarder));
        invoker = new AgentInvoker(errors::add, null, worker);
        invoker.start();
        forwarder.apply(TcpReload.initial(new TcpRouteRuntime[] {runtime}, new ServerSocketChannel[][] {{channel}}));
    }

    private SocketChannel connectClient() throws IOException
    {
        final SocketChannel client = SocketChannel.open();
        resources.add(client);
        client.configureBlocking(false);
        client.connect(front);
        runUntil(() ->
        {
            try
            {
                return client.finishConnect();
            }
            catch (final IOException ex)
            {
                throw new IllegalStateException(ex);
            }
        }, "client connected");
        return client;
    }

    /** Runs duty cycles, without moving the clock, until the condition holds. */
    private void runUntil(final BooleanSupplier condition, final String what)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadline > 0)
            {
                fail("not within 5 s of duty cycles: " + what);
            }
            invoker.invoke();
            Thread.onSpinWait();
        }
    }

    private void echoOnce(final SocketChannel client, final byte[] message) throws IOException
    {
        client.write(ByteBuffer.wrap(message));
        final ByteBuffer in = ByteBuffer.allocate(message.length);
        runUntil(() ->
        {
            try
            {
                client.read(in);
            }
            catch (final IOException ex)
            {
                throw new IllegalStateException(ex);
            }
            return !in.hasRemaining();
        }, "echo");
        assertEquals(ByteBuffer.wrap(message), in.flip());
    }

    private static boolean isClosed(final SocketChannel client)
    {
        try
        {
            return client.read(ByteBuffer.allocate(1)) < 0;
        }
        catch (final IOException reset)
        {
            return true;
        }
    }

    @Test
    @Timeout(30)
    void idleTimeoutFollowsTheLoopClock() throws Exception
    {
        final EchoServer echo = EchoServer.start();
        resources.add(echo);
        startForwarder(Duration.ofSeconds(5), Duration.ofSeconds(60), echo.port());
        final SocketChannel client = connectClient();
        echoOnce(client, new byte[] {1, 2, 3});

        clock.addAndGet(TimeUnit.SECONDS.toNanos(59));
        echoOnce(client, new byte[] {4});
        clock.addAndGet(TimeUnit.SECONDS.toNanos(59));
        for (int i = 0; i < 100; i++)
        {
            invoker.invoke();
        }
        assertEquals(0, counters.listener(TcpSlots.L_IDLE_TIMEOUTS), "activity 59 s ago keeps it open");

        clock.addAndGet(TimeUnit.SECONDS.toNanos(2));
        runUntil(() -> isClosed(client), "the idle connection is closed");
        assertEquals(1, counters.listener(TcpSlots.L_IDLE_TIMEOUTS));
        assertEquals(0, counters.listener(TcpSlots.L_ACTIVE));
    }

    @Test
    @Timeout(30)
    void connectTimeoutFollowsTheLoopClockThenTheNextTargetServes() throws Exception
    {
        final SilentTarget silent = SilentTarget.start();
        resources.add(silent);
        final EchoServer echo = EchoServer.start();
        resources.add(echo);
        startForwarder(Duration.ofSeconds(5), Duration.ofHours(1), silent.port(), echo.port());
        final SocketChannel client = connectClient();
        client.write(ByteBuffer.wrap(new byte[] {42}));
        for (int i = 0; i < 1000; i++)
        {
            invoker.invoke();
        }
        assertEquals(0, counters.target(0, TcpSlots.T_CONNECT_FAILURES), "the clock has not moved");
        assertEquals(0, counters.target(1, TcpSlots.T_TOTAL));

        clock.addAndGet(TimeUnit.SECONDS.toNanos(5) + 1);
        final ByteBuffer in = ByteBuffer.allocate(1);
        runUntil(() ->
        {
            try
            {
                client.read(in);
            }
            catch (final IOException ex)
            {
                throw new IllegalStateException(ex);
            }
            return !in.hasRemaining();
        }, "the byte sent while connecting arrives through the second target");
        assertEquals(42, in.get(0));
        assertEquals(1, counters.target(0, TcpSlots.T_CONNECT_FAILURES));
        assertEquals(1, counters.target(1, TcpSlots.T_TOTAL));
    }
}
