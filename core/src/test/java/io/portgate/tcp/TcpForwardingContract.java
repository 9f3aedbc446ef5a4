package io.portgate.tcp;

import io.portgate.ListenerStats;
import io.portgate.Portgate;
import io.portgate.PortgateContext;
import io.portgate.PortgateStats;
import io.portgate.TargetStats;
import io.portgate.config.FastPath;
import io.portgate.config.ListenerConfig;
import io.portgate.config.PortgateConfig;
import io.portgate.testing.EchoServer;
import io.portgate.testing.Exchange;
import io.portgate.testing.FreePorts;
import io.portgate.testing.OpenFds;
import io.portgate.testing.SilentTarget;
import io.portgate.testing.TestConfigs;
import org.agrona.concurrent.SystemEpochClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * What every way of forwarding TCP must do, end to end over real sockets on 127.0.0.1: one subclass per forwarding
 * path (NIO copy, splice). Every byte is checked, and no test may leave a file descriptor open.
 */
abstract class TcpForwardingContract
{
    /** How long "promptly" may take: generous, as the machine running the tests may be slow and busy. */
    private static final long PROMPTLY_S = 5;
    private static final int WORKERS = 2;

    private final List<AutoCloseable> resources = new ArrayList<>();
    private long fdsBefore;

    /**
     * The forwarding path under test.
     *
     * @return the splice setting.
     */
    abstract FastPath splice();

    @BeforeAll
    static void warmUp() throws Exception
    {
        // Loads the classes and opens the jars every test uses, so the descriptor count of the first test is not
        // disturbed by the class loader.
        try (EchoServer echo = EchoServer.start();
            Portgate portgate = Portgate.start(TestConfigs.tcp(FastPath.OFF, 1, echo.port())))
        {
            Exchange.roundTrip(portgate.boundAddresses(TestConfigs.LISTENER).getFirst(), new byte[] {1});
        }
        io.portgate.ffm.Splice.probe().isAvailable();
    }

    @BeforeEach
    void countFds()
    {
        fdsBefore = OpenFds.count();
    }

    @AfterEach
    void closeAndCheckFds() throws Exception
    {
        for (int i = resources.size() - 1; i >= 0; i--)
        {
            final AutoCloseable resource = resources.get(i);
            if (resource instanceof Portgate portgate)
            {
                portgate.close(Duration.ZERO);
            }
            else
            {
                resource.close();
            }
        }
        resources.clear();
        final long after = OpenFds.awaitAtMost(fdsBefore, 5_000);
        // At most as many as before: a test leaves none behind. Fewer is not a leak: sockets an earlier test class
        // left to its HTTP client's own thread may close while this one runs.
        assertTrue(after <= fdsBefore, "file descriptors open before the test: " + fdsBefore + ", after: " + after);
    }

    private <T extends AutoCloseable> T track(final T resource)
    {
        resources.add(resource);
        return resource;
    }

    private EchoServer echo()
    {
        return track(EchoServer.start());
    }

    private Portgate start(
        final Consumer<ListenerConfig.Builder> listener,
        final Consumer<PortgateConfig.Builder> global,
        final int... targetPorts)
    {
        return track(Portgate.start(TestConfigs.tcp(splice(), WORKERS, listener, global, targetPorts)));
    }

    private Portgate start(final int... targetPorts)
    {
        return start(l -> { }, g -> { }, targetPorts);
    }

    private static InetSocketAddress front(final Portgate portgate)
    {
        return portgate.boundAddresses(TestConfigs.LISTENER).getFirst();
    }

    private static ListenerStats stats(final Portgate portgate)
    {
        return portgate.stats().listener(TestConfigs.LISTENER);
    }

    @Test
    @Timeout(120)
    void payloadsInBothDirectionsAtOnceComeBackIdentical() throws Exception
    {
        final Portgate portgate = start(echo().port());
        final int[] sizes = {1, 4097, 1024 * 1024 + 3, ThreadLocalRandom.current().nextInt(1, 8 * 1024 * 1024),
            64 * 1024 * 1024};
        final List<Future<?>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor())
        {
            for (final int size : sizes)
            {
                results.add(pool.submit(() ->
                {
                    final byte[] payload = Exchange.random(size);
                    assertArrayEquals(payload, Exchange.roundTrip(front(portgate), payload), "payload of " + size);
                    return null;
                }));
            }
            for (final Future<?> result : results)
            {
                result.get(100, TimeUnit.SECONDS);
            }
        }
        long total = 0;
        for (final int size : sizes)
        {
            total += size;
        }
        final ListenerStats stats = stats(portgate);
        assertEquals(total, stats.bytesIn());
        assertEquals(total, stats.bytesOut());
        assertEquals(sizes.length, stats.totalConnections());
    }

    @Test
    @Timeout(120)
    void thousandConcurrentConnectionsThroughThreeTargetsAllCompleteRoundRobin() throws Exception
    {
        final EchoServer[] targets = {echo(), echo(), echo()};
        final Portgate portgate = start(targets[0].port(), targets[1].port(), targets[2].port());
        final int connections = 1000;
        final CountDownLatch allConnected = new CountDownLatch(connections);
        final List<Future<?>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor())
        {
            for (int i = 0; i < connections; i++)
            {
                results.add(pool.submit(() ->
                {
                    try (SocketChannel channel = SocketChannel.open(front(portgate)))
                    {
                        final byte[] hello = Exchange.random(16);
                        Exchange.writeFully(channel, hello);
                        assertArrayEquals(hello, Exchange.readExactly(channel, hello.length));
                        // All connections stay open together before finishing.
                        allConnected.countDown();
                        allConnected.await();
                        final byte[] payload = Exchange.random(ThreadLocalRandom.current().nextInt(1, 4096));
                        assertArrayEquals(payload, Exchange.roundTrip(channel, payload));
                    }
                    return null;
                }));
            }
            for (final Future<?> result : results)
            {
                result.get(100, TimeUnit.SECONDS);
            }
        }
        final ListenerStats stats = stats(portgate);
        assertEquals(connections, stats.totalConnections());
        long sum = 0;
        for (int t = 0; t < targets.length; t++)
        {
            final TargetStats target = stats.targets().get(t);
            sum += target.totalConnections();
            assertEquals(targets[t].accepted(), target.totalConnections(), target.target());
            // Each worker deals its own round robin, so each target is off the even share by at most one per worker.
            assertTrue(Math.abs(target.totalConnections() * targets.length - connections) <= WORKERS * targets.length,
                "target " + target.target() + " got " + target.totalConnections() + " of " + connections);
        }
        assertEquals(connections, sum);
        assertEquals(0, stats.refused());
    }

    @Test
    @Timeout(60)
    void halfCloseFromClientReachesTargetWhileReplyStillFlows() throws Exception
    {
        // The target reads to the client's FIN, then answers with the count and checksum of what it got.
        final EchoServer target = track(EchoServer.start(channel ->
        {
            final byte[] all = Exchange.readToEnd(channel, 1 << 20);
            final ByteBuffer reply = ByteBuffer.allocate(16).putLong(all.length).putLong(crc(all)).flip();
            channel.write(reply);
        }));
        final Portgate portgate = start(target.port());
        final byte[] payload = Exchange.random(1024 * 1024 + 17);
        try (SocketChannel channel = SocketChannel.open(front(portgate)))
        {
            Exchange.writeFully(channel, payload);
            channel.shutdownOutput();
            final ByteBuffer reply = ByteBuffer.wrap(Exchange.readToEnd(channel, 16));
            assertEquals(16, reply.remaining());
            assertEquals(payload.length, reply.getLong());
            assertEquals(crc(payload), reply.getLong());
        }
    }

    @Test
    @Timeout(60)
    void halfCloseFromTargetReachesClientWhileClientStillSends() throws Exception
    {
        final CompletableFuture<long[]> received = new CompletableFuture<>();
        final EchoServer target = track(EchoServer.start(channel ->
        {
            channel.write(ByteBuffer.wrap("hello".getBytes()));
            channel.shutdownOutput();
            final byte[] all = Exchange.readToEnd(channel, 1 << 20);
            received.complete(new long[] {all.length, crc(all)});
        }));
        final Portgate portgate = start(target.port());
        final byte[] payload = Exchange.random(2 * 1024 * 1024 + 5);
        try (SocketChannel channel = SocketChannel.open(front(portgate)))
        {
            assertArrayEquals("hello".getBytes(), Exchange.readToEnd(channel, 5), "greeting then the target's FIN");
            Exchange.writeFully(channel, payload);
            channel.shutdownOutput();
            final long[] got = received.get(PROMPTLY_S * 4, TimeUnit.SECONDS);
            assertEquals(payload.length, got[0]);
            assertEquals(crc(payload), got[1]);
        }
    }

    @Test
    @Timeout(60)
    void targetDyingMidStreamEndsTheClientPromptly() throws Exception
    {
        final CountDownLatch died = new CountDownLatch(1);
        final EchoServer target = track(EchoServer.start(channel ->
        {
            Exchange.readExactly(channel, 64 * 1024);
            channel.setOption(StandardSocketOptions.SO_LINGER, 0);
            channel.close();
            died.countDown();
        }));
        final Portgate portgate = start(target.port());
        try (SocketChannel channel = SocketChannel.open(front(portgate)))
        {
            final CompletableFuture<Void> writer = CompletableFuture.runAsync(() ->
            {
                final byte[] chunk = Exchange.random(64 * 1024);
                try
                {
                    while (true)
                    {
                        Exchange.writeFully(channel, chunk);
                    }
                }
                catch (final IOException expected)
                {
                    // reset, broken pipe or closed: the end we wait for
                }
            }, r -> Thread.ofVirtual().start(r));
            final CompletableFuture<Void> reader = CompletableFuture.runAsync(() ->
            {
                try
                {
                    Exchange.readToEnd(channel, 0);
                }
                catch (final IOException expected)
                {
                    // reset
                }
            }, r -> Thread.ofVirtual().start(r));
            assertTrue(died.await(PROMPTLY_S, TimeUnit.SECONDS), "the target read and died");
            reader.get(PROMPTLY_S, TimeUnit.SECONDS);
            // The reader saw the end; the writer ends at the latest when the socket closes.
            channel.close();
            writer.get(PROMPTLY_S, TimeUnit.SECONDS);
        }
        awaitTrue(() -> stats(portgate).activeConnections() == 0, "the connection is closed on the balancer");
    }

    @Test
    @Timeout(60)
    void refusedTargetIsSkippedTransparently() throws Exception
    {
        final int refusing = FreePorts.refusing();
        final Portgate portgate = start(echo().port(), refusing, echo().port());
        for (int i = 0; i < 30; i++)
        {
            final byte[] payload = Exchange.random(1000 + i);
            assertArrayEquals(payload, Exchange.roundTrip(front(portgate), payload));
        }
        final ListenerStats stats = stats(portgate);
        assertEquals(30, stats.totalConnections());
        assertEquals(0, stats.refused());
        final TargetStats dead = stats.targets().get(1);
        assertEquals(0, dead.totalConnections());
        assertTrue(dead.refused() > 0, "the refusing target was tried: " + dead);
        assertEquals(dead.connectFailures(), stats.connectFailures());
        assertEquals(30, stats.targets().get(0).totalConnections() + stats.targets().get(2).totalConnections());
    }

    @Test
    @Timeout(60)
    void clientIsRefusedWhenEveryTargetRefuses() throws Exception
    {
        final Portgate portgate = start(FreePorts.refusing(), FreePorts.refusing());
        try (SocketChannel channel = SocketChannel.open(front(portgate)))
        {
            try
            {
                assertEquals(0, Exchange.readToEnd(channel, 0).length);
            }
            catch (final IOException reset)
            {
                // a reset is the expected answer too
            }
        }
        awaitTrue(() -> stats(portgate).refused() == 1, "the client connection counted as refused");
        assertEquals(2, stats(portgate).connectFailures());
    }

    @Test
    @Timeout(60)
    void unansweredConnectTimesOutAndTheNextTargetServes() throws Exception
    {
        final SilentTarget silent = track(SilentTarget.start());
        final Portgate portgate = start(l -> l.connectTimeout(Duration.ofMillis(200)), g -> { }, silent.port(),
            echo().port());
        for (int i = 0; i < 4; i++)
        {
            final byte[] payload = Exchange.random(100);
            assertArrayEquals(payload, Exchange.roundTrip(front(portgate), payload));
        }
        final ListenerStats stats = stats(portgate);
        assertEquals(0, stats.targets().getFirst().totalConnections());
        assertTrue(stats.targets().getFirst().connectFailures() > 0, "the silent target timed out");
        assertEquals(4, stats.targets().get(1).totalConnections());
    }

    @Test
    @Timeout(90)
    void slowReadersKeepBufferMemoryWithinItsLimit() throws Exception
    {
        final int bufferSize = 16 * 1024;
        final long limit = 256 * 1024;
        final Portgate portgate = start(l -> l.bufferSize(bufferSize), g -> g.bufferMemory(limit), echo().port());
        final int connections = 16;
        final AtomicLong maxSeen = new AtomicLong();
        final CountDownLatch startReading = new CountDownLatch(1);
        final List<Future<?>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor())
        {
            for (int i = 0; i < connections; i++)
            {
                results.add(pool.submit(() ->
                {
                    final byte[] payload = Exchange.random(2 * 1024 * 1024);
                    try (SocketChannel channel = SocketChannel.open(front(portgate)))
                    {
                        final Future<?> writer = pool.submit(() ->
                        {
                            Exchange.writeFully(channel, payload);
                            channel.shutdownOutput();
                            return null;
                        });
                        startReading.await();
                        assertArrayEquals(payload, Exchange.readToEnd(channel, payload.length));
                        writer.get();
                    }
                    return null;
                }));
            }
            // Nobody reads for a while: every buffer on the way fills up and the balancer must stop reading.
            final long readersStartNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1500);
            while (System.nanoTime() - readersStartNs < 0)
            {
                maxSeen.accumulateAndGet(portgate.stats().bufferMemoryUsed(), Math::max);
                Thread.sleep(5);
            }
            startReading.countDown();
            for (final Future<?> result : results)
            {
                while (!result.isDone())
                {
                    maxSeen.accumulateAndGet(portgate.stats().bufferMemoryUsed(), Math::max);
                    Thread.sleep(5);
                }
                result.get();
            }
        }
        final PortgateStats stats = portgate.stats();
        assertTrue(maxSeen.get() <= limit, "buffer memory seen " + maxSeen.get() + " > limit " + limit);
        assertTrue(stats.bufferMemoryHighWater() <= limit, "high water " + stats.bufferMemoryHighWater());
        assertTrue(stats.bufferMemoryHighWater() > 0, "buffers were used");
        assertEquals(connections * 2L * 1024 * 1024, stats.listener(TestConfigs.LISTENER).bytesOut());
    }

    @Test
    @Timeout(60)
    void idleTimeoutClosesAQuietConnectionButNotABusyOne() throws Exception
    {
        // The balancer's loops run on a clock the test moves: a minute passes when the test says so.
        final AtomicLong clock = new AtomicLong(TimeUnit.HOURS.toNanos(1));
        final Portgate portgate = track(Portgate.start(new PortgateContext(TestConfigs.tcp(splice(), WORKERS,
            l -> l.idleTimeout(Duration.ofSeconds(60)), g -> { }, echo().port()))
            .clocks(clock::get, System::currentTimeMillis)));
        try (SocketChannel quiet = SocketChannel.open(front(portgate));
            SocketChannel busy = SocketChannel.open(front(portgate)))
        {
            final byte[] ping = Exchange.random(10);
            Exchange.writeFully(quiet, ping);
            assertArrayEquals(ping, Exchange.readExactly(quiet, ping.length));
            Exchange.writeFully(busy, ping);
            assertArrayEquals(ping, Exchange.readExactly(busy, ping.length));

            clock.addAndGet(TimeUnit.SECONDS.toNanos(40));
            Exchange.writeFully(busy, ping);
            assertArrayEquals(ping, Exchange.readExactly(busy, ping.length), "40 s in, both are open");
            clock.addAndGet(TimeUnit.SECONDS.toNanos(30));
            // 70 s after its last byte the quiet one is closed; the busy one spoke 30 s ago.
            quiet.configureBlocking(true);
            assertEquals(0, Exchange.readToEnd(quiet, 0).length, "the quiet connection was closed");
            Exchange.writeFully(busy, ping);
            assertArrayEquals(ping, Exchange.readExactly(busy, ping.length), "the busy connection still works");
        }
        assertEquals(1, stats(portgate).idleTimeouts());
    }

    @Test
    @Timeout(60)
    void listenerConnectionLimitRefusesTheExcessAndServesTheRest() throws Exception
    {
        final Portgate portgate = start(l -> l.maxConnections(5), g -> { }, echo().port());
        checkLimit(portgate, 5);
    }

    @Test
    @Timeout(60)
    void globalConnectionLimitRefusesTheExcessAndServesTheRest() throws Exception
    {
        final Portgate portgate = start(l -> { }, g -> g.maxConnections(3), echo().port());
        checkLimit(portgate, 3);
    }

    private static void checkLimit(final Portgate portgate, final int limit) throws Exception
    {
        final List<SocketChannel> admitted = new ArrayList<>();
        try
        {
            for (int i = 0; i < limit; i++)
            {
                final SocketChannel channel = SocketChannel.open(front(portgate));
                admitted.add(channel);
                final byte[] ping = Exchange.random(8);
                Exchange.writeFully(channel, ping);
                assertArrayEquals(ping, Exchange.readExactly(channel, ping.length));
            }
            for (int i = 0; i < 3; i++)
            {
                try (SocketChannel excess = SocketChannel.open(front(portgate)))
                {
                    try
                    {
                        assertEquals(0, Exchange.readToEnd(excess, 0).length, "the excess connection is closed");
                    }
                    catch (final IOException reset)
                    {
                        // closed with a reset: refused just the same
                    }
                }
            }
            assertEquals(3, stats(portgate).limitRejected());
            for (final SocketChannel channel : admitted)
            {
                final byte[] payload = Exchange.random(5000);
                assertArrayEquals(payload, Exchange.roundTrip(channel, payload));
            }
        }
        finally
        {
            for (final SocketChannel channel : admitted)
            {
                channel.close();
            }
        }
        assertEquals(limit, stats(portgate).totalConnections());
    }

    @Test
    @Timeout(60)
    void portRangeMapsEachExternalPortToItsInternalPort() throws Exception
    {
        final EchoServer first = echo();
        final EchoServer second = echo();
        final int external = FreePorts.tcpRange(2);
        // A target with its own port per offset: no pool range, so each target names one port; use two pools'
        // worth of targets through one listener range by mapping offsets with the target's own single port.
        final Portgate portgate = track(Portgate.start(PortgateConfig.builder()
            .workers(WORKERS)
            .splice(splice())
            .listener(ListenerConfig.builder("range").bind("127.0.0.1:" + external + "-" + (external + 1))
                .pool("p").build())
            .pool(io.portgate.config.PoolConfig.builder("p")
                .target(new io.portgate.config.TargetConfig("127.0.0.1", InetAddress.getLoopbackAddress(),
                    new io.portgate.config.PortRange(first.port(), first.port()), 1,
                    io.portgate.config.Position.NONE, io.portgate.config.Position.NONE))
                .build())
            .build()));
        final List<InetSocketAddress> bound = portgate.boundAddresses("range");
        assertEquals(2, bound.size());
        assertEquals(external, bound.get(0).getPort());
        assertEquals(external + 1, bound.get(1).getPort());
        for (final InetSocketAddress address : bound)
        {
            final byte[] payload = Exchange.random(777);
            assertArrayEquals(payload, Exchange.roundTrip(address, payload));
        }
        assertEquals(2, first.accepted());
        assertEquals(0, second.accepted());
    }

    @Test
    @Timeout(60)
    void closeDrainsOpenConnectionsThenClosesThem() throws Exception
    {
        final Portgate portgate = Portgate.start(TestConfigs.tcp(splice(), WORKERS, echo().port()));
        final InetSocketAddress address = front(portgate);
        try (SocketChannel open = SocketChannel.open(address))
        {
            final byte[] ping = Exchange.random(8);
            Exchange.writeFully(open, ping);
            assertArrayEquals(ping, Exchange.readExactly(open, ping.length));
            final CompletableFuture<Void> closing = CompletableFuture.runAsync(
                () -> portgate.close(Duration.ofSeconds(30)), r -> Thread.ofVirtual().start(r));
            awaitTrue(() -> !canConnect(address), "the listener stops accepting");
            // Draining: the open connection still works...
            Exchange.writeFully(open, ping);
            assertArrayEquals(ping, Exchange.readExactly(open, ping.length));
            // ...and when it finishes, close returns long before the drain deadline.
            open.shutdownOutput();
            assertEquals(0, Exchange.readToEnd(open, 0).length);
            closing.get(PROMPTLY_S, TimeUnit.SECONDS);
        }
    }

    @Test
    @Timeout(60)
    void aSecondCloseHurriesTheDrainAndClosesWhatIsOpen() throws Exception
    {
        final Portgate portgate = Portgate.start(TestConfigs.tcp(splice(), WORKERS, echo().port()));
        final InetSocketAddress address = front(portgate);
        try (SocketChannel open = SocketChannel.open(address))
        {
            final byte[] ping = Exchange.random(8);
            Exchange.writeFully(open, ping);
            assertArrayEquals(ping, Exchange.readExactly(open, ping.length));
            final CompletableFuture<Void> draining = CompletableFuture.runAsync(
                () -> portgate.close(Duration.ofMinutes(10)), r -> Thread.ofVirtual().start(r));
            awaitTrue(() -> !canConnect(address), "the listener stops accepting");
            Exchange.writeFully(open, ping);
            assertArrayEquals(ping, Exchange.readExactly(open, ping.length), "the connection drains");

            // The connection stays open: only the second call can end a drain of ten minutes.
            portgate.close(Duration.ZERO);
            draining.get(PROMPTLY_S, TimeUnit.SECONDS);
            try
            {
                assertEquals(0, Exchange.readToEnd(open, 0).length, "closed by the balancer");
            }
            catch (final IOException reset)
            {
                // closed either way
            }
        }
    }

    @Test
    @Timeout(60)
    void closeAfterTheDrainDeadlineClosesWhatIsStillOpen() throws Exception
    {
        final Portgate portgate = Portgate.start(TestConfigs.tcp(splice(), WORKERS, echo().port()));
        try (SocketChannel open = SocketChannel.open(front(portgate)))
        {
            final byte[] ping = Exchange.random(8);
            Exchange.writeFully(open, ping);
            assertArrayEquals(ping, Exchange.readExactly(open, ping.length));
            portgate.close(Duration.ofMillis(200));
            try
            {
                assertEquals(0, Exchange.readToEnd(open, 0).length);
            }
            catch (final IOException reset)
            {
                // closed either way
            }
        }
    }

    @Test
    @Timeout(30)
    void bindFailureNamesTheListenerAndLeavesNothingOpen() throws Exception
    {
        try (ServerSocketChannel taken = ServerSocketChannel.open()
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)))
        {
            final int port = ((InetSocketAddress)taken.getLocalAddress()).getPort();
            final PortgateConfig config = TestConfigs.tcp(splice(), WORKERS,
                l -> l.bind("127.0.0.1:" + port), g -> { }, echo().port());
            try
            {
                Portgate.start(config).close();
                fail("bound a port already taken");
            }
            catch (final UncheckedIOException ex)
            {
                assertTrue(ex.getMessage().contains("'" + TestConfigs.LISTENER + "'"), ex.getMessage());
                assertTrue(ex.getMessage().contains("127.0.0.1:" + port), ex.getMessage());
            }
        }
    }

    private static boolean canConnect(final InetSocketAddress address)
    {
        try (Socket socket = new Socket())
        {
            socket.connect(address, 500);
            return true;
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    private static void awaitTrue(final java.util.function.BooleanSupplier condition, final String what)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(PROMPTLY_S);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadline > 0)
            {
                fail("not within " + PROMPTLY_S + " s: " + what);
            }
            Thread.sleep(10);
        }
    }

    private static long crc(final byte[] bytes)
    {
        final CRC32 crc = new CRC32();
        crc.update(bytes);
        return crc.getValue();
    }
}
