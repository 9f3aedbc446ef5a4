package io.portgate.conductor;

import io.portgate.TargetView;

import io.portgate.Portgate;
import io.portgate.config.AllDown;
import io.portgate.config.HealthConfig;
import io.portgate.config.HealthProtocol;
import io.portgate.config.IdleStrategyName;
import io.portgate.config.ListenerConfig;
import io.portgate.config.OnDown;
import io.portgate.config.PoolConfig;
import io.portgate.config.PortgateConfig;
import io.portgate.spi.ProbeResult;
import io.portgate.spi.TargetState;
import io.portgate.testing.EchoServer;
import io.portgate.testing.Exchange;
import io.portgate.testing.FreePorts;
import io.portgate.testing.OpenFds;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Health verdicts reach the forwarders: real targets on 127.0.0.x, real probes, real clients. Targets on different
 * loopback addresses share one health port number, so a pool-wide {@code health.port} can fail one target alone.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HealthFailoverTest
{
    private static final String POOL = "back";
    private static final String LISTENER = "front";
    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void close() throws Exception
    {
        for (int i = resources.size() - 1; i >= 0; i--)
        {
            resources.get(i).close();
        }
    }

    private <T extends AutoCloseable> T keep(final T resource)
    {
        resources.add(resource);
        return resource;
    }

    private static InetAddress loopback(final int last)
    {
        return InetAddress.ofLiteral("127.0.0." + last);
    }

    private static HealthConfig.Builder fastTcpProbe()
    {
        return HealthConfig.builder().protocol(HealthProtocol.TCP).interval(Duration.ofMillis(100))
            .timeout(Duration.ofMillis(80)).rise(2).fall(2);
    }

    private Portgate start(final Consumer<PoolConfig.Builder> pool, final EchoServer... targets)
    {
        final PoolConfig.Builder b = PoolConfig.builder(POOL);
        for (final EchoServer target : targets)
        {
            b.target(target.address().getAddress(), target.port());
        }
        pool.accept(b);
        final PortgateConfig config = PortgateConfig.builder()
            .workers(2)
            .idleStrategy(IdleStrategyName.BACKOFF)
            .drainTimeout(Duration.ZERO)
            .listener(ListenerConfig.builder(LISTENER).bind("127.0.0.1:" + FreePorts.tcp()).pool(POOL)
                .connectTimeout(Duration.ofMillis(500)).build())
            .pool(b.build())
            .build();
        return keep(Portgate.start(config));
    }

    private static InetSocketAddress front(final Portgate portgate)
    {
        return portgate.boundAddresses(LISTENER).getFirst();
    }

    private static TargetView view(final Portgate portgate, final EchoServer target)
    {
        return view(portgate, label(target));
    }

    private static TargetView view(final Portgate portgate, final String label)
    {
        return portgate.targets().stream().filter(v -> v.target().equals(label)).findFirst().orElseThrow();
    }

    private static String label(final EchoServer target)
    {
        return target.address().getAddress().getHostAddress() + ":" + target.port();
    }

    private static void await(final String what, final BooleanSupplier condition) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new AssertionError("not reached within 15 s: " + what);
            }
            Thread.sleep(10);
        }
    }

    private static void roundTrips(final InetSocketAddress front, final int count) throws IOException
    {
        for (int i = 0; i < count; i++)
        {
            final byte[] payload = Exchange.random(32);
            assertArrayEquals(payload, Exchange.roundTrip(front, payload));
        }
    }

    @Test
    void aTargetThatStopsListeningGoesDownAndBackWithoutFailingAClient() throws Exception
    {
        final EchoServer a = keep(EchoServer.start());
        final EchoServer b = keep(EchoServer.start());
        final EchoServer c = keep(EchoServer.start());
        final InetSocketAddress cAddress = c.address();
        final String cLabel = label(c);
        final Portgate portgate = start(p -> p.health(fastTcpProbe().build()), a, b, c);
        final InetSocketAddress front = front(portgate);
        await("first probes", () -> portgate.targets().stream().allMatch(v -> v.lastResult() == ProbeResult.OK));

        final AtomicBoolean running = new AtomicBoolean(true);
        final AtomicLong served = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        final Thread clients = Thread.ofPlatform().start(() ->
        {
            while (running.get())
            {
                try
                {
                    roundTrips(front, 1);
                    served.incrementAndGet();
                }
                catch (final IOException | AssertionError ex)
                {
                    failed.incrementAndGet();
                }
            }
        });
        try
        {
            await("clients served through all three", () -> served.get() >= 3);
            c.stopListening();
            await("c marked down", () -> view(portgate, cLabel).state() == TargetState.DOWN);
            final long servedAtDown = served.get();
            await("traffic keeps flowing to the live targets", () -> served.get() >= servedAtDown + 10);

            final EchoServer restarted = keep(EchoServer.startOn(cAddress, EchoServer.ECHO));
            await("c back up after rise probes", () -> view(portgate, restarted).state() == TargetState.UP);
            await("c takes connections again", () -> restarted.accepted() > 0);
        }
        finally
        {
            running.set(false);
            clients.join(10_000);
        }
        assertEquals(0, failed.get(), "the connect retry covers the switch: no client connection failed");
        assertTrue(served.get() > 20, "clients were served throughout: " + served.get());
    }

    @Test
    void aDownTargetReceivesNothingAndAHealthPortIsProbedOnItsOwn() throws Exception
    {
        final int healthPort = FreePorts.tcp();
        final EchoServer a = keep(EchoServer.startOn(new InetSocketAddress(loopback(1), 0), EchoServer.ECHO));
        final EchoServer b = keep(EchoServer.startOn(new InetSocketAddress(loopback(2), 0), EchoServer.ECHO));
        // Only a answers on the health port: b's traffic port works, but its probe fails.
        keep(EchoServer.startOn(new InetSocketAddress(loopback(1), healthPort), EchoServer.ECHO));
        final Portgate portgate = start(p -> p.health(fastTcpProbe().port(healthPort).build()), a, b);
        await("b down", () -> view(portgate, b).state() == TargetState.DOWN);
        assertEquals("tcp:" + healthPort, view(portgate, b).probe());
        assertEquals(ProbeResult.REFUSED, view(portgate, b).lastResult());

        final int bBefore = b.accepted();
        roundTrips(front(portgate), 40);
        assertEquals(bBefore, b.accepted(), "a down target receives no new connection");
        assertTrue(a.accepted() >= 40);
    }

    @Test
    void allDownRejectsByDefault() throws Exception
    {
        final EchoServer a = keep(EchoServer.start());
        final Portgate portgate = start(p -> p.health(fastTcpProbe().port(FreePorts.refusing()).build()), a);
        await("a down", () -> view(portgate, a).state() == TargetState.DOWN);
        final long refusedBefore = portgate.stats().listener(LISTENER).refused();
        try (SocketChannel client = SocketChannel.open(front(portgate)))
        {
            assertThrows(IOException.class, () ->
            {
                // The balancer resets the client at once: the write itself may already fail.
                client.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
                final ByteBuffer buffer = ByteBuffer.allocate(16);
                if (client.read(buffer) < 0)
                {
                    throw new IOException("closed");
                }
            }, "the client is closed, not served");
        }
        await("refusal counted", () -> portgate.stats().listener(LISTENER).refused() > refusedBefore);
        assertEquals(0, a.accepted());
    }

    @Test
    void allDownFailOpenSpreadsOverEveryTarget() throws Exception
    {
        final EchoServer a = keep(EchoServer.start());
        final EchoServer b = keep(EchoServer.start());
        final Portgate portgate = start(p -> p.allDown(AllDown.FAIL_OPEN)
            .health(fastTcpProbe().port(FreePorts.refusing()).build()), a, b);
        await("all down", () -> portgate.targets().stream().allMatch(v -> v.state() == TargetState.DOWN));
        roundTrips(front(portgate), 20);
        assertTrue(a.accepted() > 0 && b.accepted() > 0, "fail-open uses every target: " + a.accepted() + "/" +
            b.accepted());
    }

    @Test
    void drainLetsOpenConnectionsFinishWhileNewOnesGoElsewhere() throws Exception
    {
        final EchoServer a = keep(EchoServer.start());
        final EchoServer b = keep(EchoServer.start());
        final Portgate portgate = start(p -> { }, a, b);
        try (SocketChannel longLived = SocketChannel.open(front(portgate)))
        {
            roundTripOn(longLived);
            final EchoServer holder = a.openConnections() == 1 ? a : b;
            final EchoServer other = holder == a ? b : a;
            portgate.drain(POOL, view(portgate, holder).target());
            await("draining", () -> view(portgate, holder).state() == TargetState.DRAINING);

            final int holderBefore = holder.accepted();
            roundTrips(front(portgate), 20);
            assertEquals(holderBefore, holder.accepted(), "no new connection goes to a draining target");
            assertTrue(other.accepted() >= 20);
            roundTripOn(longLived);

            portgate.undrain(POOL, view(portgate, holder).target());
            await("undrained", () -> view(portgate, holder).state() == TargetState.UP);
            roundTrips(front(portgate), 6);
            assertTrue(holder.accepted() > holderBefore, "undrained, it takes connections again");
        }
        assertThrows(IllegalArgumentException.class, () -> portgate.drain(POOL, "10.9.9.9:1"));
        assertThrows(IllegalArgumentException.class, () -> portgate.drain("nope", "127.0.0.1:1"));
    }

    @Test
    void onDownCloseResetsOpenConnections() throws Exception
    {
        final int healthPort = FreePorts.tcp();
        final EchoServer a = keep(EchoServer.startOn(new InetSocketAddress(loopback(1), 0), EchoServer.ECHO));
        final EchoServer health = EchoServer.startOn(new InetSocketAddress(loopback(1), healthPort), EchoServer.ECHO);
        final Portgate portgate = start(p -> p.onDown(OnDown.CLOSE).health(fastTcpProbe().port(healthPort).build()),
            a);
        try (SocketChannel open = SocketChannel.open(front(portgate)))
        {
            roundTripOn(open);
            health.close();
            await("down", () -> view(portgate, a).state() == TargetState.DOWN);
            assertThrows(IOException.class, () ->
            {
                final ByteBuffer buffer = ByteBuffer.allocate(16);
                open.write(ByteBuffer.wrap(new byte[] {1}));
                while (open.read(buffer) >= 0)
                {
                    buffer.clear();
                }
                throw new IOException("closed by the balancer");
            });
        }
    }

    @Test
    void connectFailuresTakeATargetDownBetweenProbes() throws Exception
    {
        final EchoServer a = keep(EchoServer.start());
        final EchoServer b = EchoServer.start();
        final String bLabel = label(b);
        // The first probe lands at a random point of its first interval: an hour makes one before the passive
        // failures (a second or two) a chance of about 1 in 2,000, where 30 s made it a few percent.
        final Portgate portgate = start(p -> p.health(HealthConfig.builder().protocol(HealthProtocol.TCP)
            .interval(Duration.ofHours(1)).rise(1).fall(2).build()), a, b);
        b.kill();
        b.close();
        roundTrips(front(portgate), 10);
        await("b down from passive failures", () -> view(portgate, bLabel).state() == TargetState.DOWN);
        assertEquals(ProbeResult.PASSIVE_FAILURE, view(portgate, bLabel).lastResult());
    }

    @Test
    void aUdpTargetThatStopsAnsweringIsProbedDownAndGetsNoNewFlows() throws Exception
    {
        final io.portgate.testing.UdpEchoServer one = keep(io.portgate.testing.UdpEchoServer.start(1));
        final io.portgate.testing.UdpEchoServer two = io.portgate.testing.UdpEchoServer.start(2);
        final String twoLabel = "127.0.0.1:" + two.port();
        final PortgateConfig config = PortgateConfig.builder()
            .workers(2)
            .drainTimeout(Duration.ZERO)
            .listener(ListenerConfig.builder("dns").protocol(io.portgate.config.Protocol.UDP)
                .bind("127.0.0.1:" + FreePorts.tcp()).pool(POOL).build())
            .pool(PoolConfig.builder(POOL).target(InetAddress.getLoopbackAddress(), one.port())
                .target(InetAddress.getLoopbackAddress(), two.port())
                .health(HealthConfig.builder().protocol(HealthProtocol.UDP).send("ping").interval(Duration.ofMillis(100))
                    .timeout(Duration.ofMillis(80)).rise(1).fall(2).build())
                .build())
            .build();
        final Portgate portgate = keep(Portgate.start(config));
        final InetSocketAddress front = portgate.boundAddresses("dns").getFirst();
        await("both probed up", () -> portgate.targets().stream().allMatch(v -> v.lastResult() == ProbeResult.OK));

        two.close();
        await("two down", () -> view(portgate, twoLabel).state() == TargetState.DOWN);
        assertEquals(ProbeResult.REFUSED, view(portgate, twoLabel).lastResult(), "ICMP port unreachable is a failure");
        for (int i = 0; i < 20; i++)
        {
            try (io.portgate.testing.UdpClient client = io.portgate.testing.UdpClient.open("127.0.0.1", front))
            {
                assertEquals(1, client.exchange(Exchange.random(24)), "every new flow goes to the live target");
            }
        }
        // The UDP counters live in the metrics file too; a worker counts a reply just after sending it.
        await("replies counted", () ->
            io.portgate.PortgateInternals.metrics(portgate).sum(io.portgate.metrics.Metric.DATAGRAMS_SENT, "listener", "dns") >= 20);
        assertEquals(portgate.stats().udpListener("dns").datagramsOut(),
            io.portgate.PortgateInternals.metrics(portgate).sum(io.portgate.metrics.Metric.DATAGRAMS_SENT, "listener", "dns"));
    }

    @Test
    void noDescriptorIsLeftOpen() throws Exception
    {
        final long before = OpenFds.count();
        try (EchoServer a = EchoServer.start())
        {
            final Portgate portgate = Portgate.start(PortgateConfig.builder().workers(1)
                .listener(ListenerConfig.builder(LISTENER).bind("127.0.0.1:" + FreePorts.tcp()).pool(POOL).build())
                .pool(PoolConfig.builder(POOL).target(InetAddress.getLoopbackAddress(), a.port())
                    .health(fastTcpProbe().build()).build())
                .build());
            await("probed", () -> portgate.targets().getFirst().lastResult() == ProbeResult.OK);
            roundTrips(front(portgate), 3);
            portgate.close(Duration.ZERO);
        }
        await("descriptors released", () -> OpenFds.count() <= before);
        assertTrue(Arrays.asList(TargetState.values()).contains(TargetState.UP));
    }

    private static void roundTripOn(final SocketChannel channel) throws IOException
    {
        final byte[] payload = Exchange.random(64);
        Exchange.writeFully(channel, payload);
        assertArrayEquals(payload, Exchange.readExactly(channel, payload.length));
    }
}
