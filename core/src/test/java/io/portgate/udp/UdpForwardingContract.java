package io.portgate.udp;

import io.portgate.Portgate;
import io.portgate.UdpListenerStats;
import io.portgate.UdpTargetStats;
import io.portgate.balance.BalanceAlgorithm;
import io.portgate.config.Affinity;
import io.portgate.config.FastPath;
import io.portgate.config.ListenerConfig;
import io.portgate.config.PoolConfig;
import io.portgate.testing.ConnectedClient;
import io.portgate.testing.Exchange;
import io.portgate.testing.FreePorts;
import io.portgate.testing.OpenFds;
import io.portgate.testing.TestConfigs;
import io.portgate.testing.UdpClient;
import io.portgate.testing.UdpEchoServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What every way of forwarding UDP must do, end to end over real sockets on 127.0.0.1: one subclass per datagram
 * path (plain NIO, recvmmsg/sendmmsg batches with GSO). Every reply is checked byte for byte against what its client
 * sent, and no test may leave a file descriptor open.
 */
abstract class UdpForwardingContract
{
    private static final int WORKERS = 2;
    private static final long PROMPTLY_MS = 5_000;

    private final List<AutoCloseable> resources = new ArrayList<>();
    private long fdsBefore;

    /** @return the recvmmsg/sendmmsg setting of the path under test. */
    abstract FastPath batching();

    /** @return the UDP_SEGMENT setting of the path under test. */
    abstract FastPath gso();

    private boolean batched()
    {
        return batching() == FastPath.ON;
    }

    @BeforeAll
    static void warmUp() throws Exception
    {
        // Loads the classes and runs the probes every test uses, so the descriptor count of the first test is not
        // disturbed by the class loader.
        io.portgate.ffm.UdpBatching.probe().isAvailable();
        io.portgate.ffm.UdpGso.probe().isAvailable();
        try (UdpEchoServer echo = UdpEchoServer.start(1))
        {
            final Portgate portgate = Portgate.start(TestConfigs.udp(FastPath.OFF, FastPath.OFF, 1, l -> { },
                p -> { }, echo.port()));
            try (UdpClient client = UdpClient.open("127.0.0.1", front(portgate)))
            {
                client.exchange(new byte[] {1, 2, 3});
            }
            finally
            {
                portgate.close(Duration.ZERO);
            }
        }
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

    private UdpEchoServer[] echoes(final int count)
    {
        final UdpEchoServer[] servers = new UdpEchoServer[count];
        for (int i = 0; i < count; i++)
        {
            servers[i] = track(UdpEchoServer.start('A' + i));
        }
        return servers;
    }

    private static int[] ports(final UdpEchoServer... servers)
    {
        return Arrays.stream(servers).mapToInt(UdpEchoServer::port).toArray();
    }

    private Portgate start(
        final Consumer<ListenerConfig.Builder> listener,
        final Consumer<PoolConfig.Builder> pool,
        final UdpEchoServer... targets)
    {
        return track(Portgate.start(TestConfigs.udp(batching(), gso(), WORKERS, listener, pool, ports(targets))));
    }

    private static InetSocketAddress front(final Portgate portgate)
    {
        return portgate.boundAddresses(TestConfigs.LISTENER).getFirst();
    }

    private static UdpListenerStats stats(final Portgate portgate)
    {
        return portgate.stats().udpListener(TestConfigs.LISTENER);
    }

    private static byte[] payload(final int client, final int sequence, final int size)
    {
        final byte[] bytes = Exchange.random(size);
        ByteBuffer.wrap(bytes).putInt(client).putInt(sequence);
        return bytes;
    }

    private static void await(final BooleanSupplier condition, final String what) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PROMPTLY_MS);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadline > 0)
            {
                fail("not within " + PROMPTLY_MS + " ms: " + what);
            }
            Thread.sleep(5);
        }
    }

    @Test
    @Timeout(60)
    void aThousandClientsEachGetTheirOwnRepliesFromTheOneTargetTheirFlowPicked() throws Exception
    {
        final int clients = 1000;
        final int exchanges = 3;
        final UdpEchoServer[] targets = echoes(3);
        final Portgate portgate = start(l -> { }, p -> { }, targets);
        final UdpClient[] open = new UdpClient[clients];
        for (int c = 0; c < clients; c++)
        {
            open[c] = track(UdpClient.open("127.0.0.1", front(portgate)));
        }
        final byte[] tags = new byte[clients];
        final int threads = 16;
        try (ExecutorService pool = Executors.newFixedThreadPool(threads))
        {
            final List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++)
            {
                final int first = t;
                done.add(pool.submit(() ->
                {
                    for (int c = first; c < clients; c += threads)
                    {
                        tags[c] = open[c].exchange(payload(c, 0, 64 + c % 200));
                        for (int s = 1; s < exchanges; s++)
                        {
                            assertEquals(tags[c], open[c].exchange(payload(c, s, 64 + (c + s) % 200)),
                                "client " + c + " changed target within its flow");
                        }
                    }
                    return null;
                }));
            }
            for (final Future<?> future : done)
            {
                future.get(50, TimeUnit.SECONDS);
            }
        }
        final Map<Byte, Integer> perTarget = new HashMap<>();
        for (final byte tag : tags)
        {
            perTarget.merge(tag, 1, Integer::sum);
        }
        assertEquals(3, perTarget.size(), "flows spread over every target: " + perTarget);
        perTarget.forEach((tag, count) -> assertTrue(count > 200, "target " + (char)(byte)tag + " got " + count));

        // A reply can reach its client before the worker has counted it.
        await(() -> stats(portgate).datagramsOut() >= (long)clients * exchanges, "every reply counted");
        final UdpListenerStats stats = stats(portgate);
        assertEquals(clients, stats.totalFlows(), "one flow per client");
        assertEquals(clients, stats.activeFlows());
        assertTrue(stats.datagramsIn() >= (long)clients * exchanges, () -> "datagrams in " + stats);
        assertTrue(stats.datagramsOut() >= (long)clients * exchanges, () -> "datagrams out " + stats);
        assertEquals(stats.datagramsIn(), stats.targets().stream().mapToLong(UdpTargetStats::datagramsIn).sum());
        assertEquals(stats.bytesOut(), stats.targets().stream().mapToLong(UdpTargetStats::bytesOut).sum());
        assertEquals(0, stats.dropsTruncated() + stats.dropsNoTarget() + stats.dropsError() +
            stats.dropsUnreachable() + stats.flowsEvicted() + stats.unreachable(), stats::toString);
        for (int t = 0; t < targets.length; t++)
        {
            assertEquals(perTarget.get(targets[t].tag()), targets[t].sources().size(),
                "each flow reaches its target from a socket of its own");
            assertEquals(targets[t].sources().size(), stats.targets().get(t).totalFlows());
        }
    }

    @Test
    @Timeout(30)
    void clientAffinityPutsEveryPortOfAnIpOnTheSameTarget() throws Exception
    {
        final UdpEchoServer[] targets = echoes(3);
        final Portgate portgate = start(l -> l.affinity(Affinity.CLIENT),
            p -> p.balance(BalanceAlgorithm.ROUND_ROBIN.configName()), targets);
        final Set<Byte> used = new HashSet<>();
        for (int ip = 2; ip < 14; ip++)
        {
            Byte target = null;
            for (int port = 0; port < 6; port++)
            {
                final UdpClient client = track(UdpClient.open("127.0.0." + ip, front(portgate)));
                final byte tag = client.exchange(payload(ip, port, 100));
                if (target == null)
                {
                    target = tag;
                }
                assertEquals((byte)target, tag, "127.0.0." + ip + " port " + client.local().getPort());
            }
            used.add(target);
        }
        assertTrue(used.size() >= 2, "twelve IPs all hashed onto one target: " + used);
        assertEquals(72, stats(portgate).totalFlows(), "one flow per address and port");
    }

    @Test
    @Timeout(30)
    void packetAffinitySpreadsOneClientsDatagramsAndEveryReplyStillComesBack() throws Exception
    {
        final UdpEchoServer[] targets = echoes(3);
        final Portgate portgate = start(l -> l.affinity(Affinity.PACKET),
            p -> p.balance(BalanceAlgorithm.ROUND_ROBIN.configName()), targets);
        final UdpClient client = track(UdpClient.open("127.0.0.1", front(portgate)));
        final Map<Byte, Integer> perTarget = new HashMap<>();
        for (int s = 0; s < 30; s++)
        {
            perTarget.merge(client.exchange(payload(0, s, 300)), 1, Integer::sum);
        }
        assertEquals(Set.of((byte)'A', (byte)'B', (byte)'C'), perTarget.keySet());
        perTarget.forEach((tag, count) -> assertEquals(10, count, "round-robin over three targets"));
        final UdpListenerStats stats = stats(portgate);
        assertEquals(1, stats.totalFlows());
        for (final UdpTargetStats target : stats.targets())
        {
            assertEquals(1, target.totalFlows(), "the flow keeps one socket per target: " + target);
        }
    }

    @Test
    @Timeout(30)
    void weightsSplitDatagramsUnderTheDefaultPolicy() throws Exception
    {
        final UdpEchoServer[] targets = echoes(2);
        final java.net.InetAddress loopback = java.net.InetAddress.getByName("127.0.0.1");
        final Portgate portgate = track(Portgate.start(TestConfigs.udp(batching(), gso(), WORKERS,
            l -> l.affinity(Affinity.PACKET),
            p -> p.target(new io.portgate.config.TargetConfig("127.0.0.1", loopback,
                    io.portgate.config.PortRange.of(targets[0].port()), 3, io.portgate.config.Position.NONE,
                    io.portgate.config.Position.NONE))
                .target(new io.portgate.config.TargetConfig("127.0.0.1", loopback,
                    io.portgate.config.PortRange.of(targets[1].port()), 1, io.portgate.config.Position.NONE,
                    io.portgate.config.Position.NONE)))));
        final UdpClient client = track(UdpClient.open("127.0.0.1", front(portgate)));
        final Map<Byte, Integer> perTarget = new HashMap<>();
        for (int s = 0; s < 40; s++)
        {
            perTarget.merge(client.exchange(payload(0, s, 200)), 1, Integer::sum);
        }
        // One client reaches one worker, whose round robin gives each target its weight in every cycle of four.
        assertEquals(Map.of((byte)'A', 30, (byte)'B', 10), perTarget, "weights 3:1 under round-robin");
    }

    /**
     * A client bound to 127.0.0.2 and connected to 127.0.0.2:P, as most UDP clients are, accepts only datagrams from
     * 127.0.0.2:P: through a listener on 0.0.0.0:P every reply must leave from the address its client sent to, while
     * clients of other addresses are served at the same time. Plain NIO cannot do that and refuses the listener.
     */
    @Test
    @Timeout(60)
    void aWildcardListenerAnswersEveryClientFromTheAddressItSentTo() throws Exception
    {
        final UdpEchoServer target = echoes(1)[0];
        final int port = FreePorts.udpOnEveryAddress();
        final Consumer<ListenerConfig.Builder> wildcard = l -> l.bind("0.0.0.0:" + port);
        if (!batched())
        {
            assertRefusesTheWildcard(wildcard, "0.0.0.0:" + port, target);
            return;
        }
        final Portgate portgate = start(wildcard, p -> { }, target);
        assertEquals(new InetSocketAddress("0.0.0.0", port), front(portgate));
        exchangeAtOnce(
            track(ConnectedClient.open("127.0.0.2", "127.0.0.2", port)),
            track(ConnectedClient.open("127.0.0.1", "127.0.0.1", port)),
            track(ConnectedClient.open("127.0.0.3", "127.0.0.1", port)),
            track(ConnectedClient.open("127.0.0.4", "127.0.0.5", port)));
        assertEquals(4, stats(portgate).totalFlows());
        assertEquals(0, stats(portgate).dropsError(), () -> stats(portgate).toString());
    }

    /**
     * The same through a dual-stack listener on [::]:P: an IPv6 client and IPv4 clients, whose datagrams arrive as
     * IPv4-mapped addresses, each hear back from the address they sent to.
     */
    @Test
    @Timeout(60)
    void aDualStackWildcardListenerAnswersIpv6AndIpv4ClientsFromTheAddressTheySentTo() throws Exception
    {
        assumeTrue(ConnectedClient.ipv6Loopback(), "this machine has no IPv6 loopback");
        final UdpEchoServer target = echoes(1)[0];
        final int port = FreePorts.udpOnEveryAddress();
        final Consumer<ListenerConfig.Builder> wildcard = l -> l.bind("[::]:" + port);
        if (!batched())
        {
            assertRefusesTheWildcard(wildcard, "[::]:" + port, target);
            return;
        }
        final Portgate portgate = start(wildcard, p -> { }, target);
        exchangeAtOnce(
            track(ConnectedClient.open("::1", "::1", port)),
            track(ConnectedClient.open("127.0.0.2", "127.0.0.2", port)),
            track(ConnectedClient.open("127.0.0.1", "127.0.0.1", port)));
        assertEquals(3, stats(portgate).totalFlows());
    }

    private void assertRefusesTheWildcard(final Consumer<ListenerConfig.Builder> wildcard, final String bind,
        final UdpEchoServer target) throws Exception
    {
        // Refused by validation, as `portgate check` refuses it, before anything is bound.
        final io.portgate.config.ConfigException refused = assertThrows(io.portgate.config.ConfigException.class,
            () -> start(wildcard, p -> { }, target));
        final int port = Integer.parseInt(bind.substring(bind.lastIndexOf(':') + 1));
        // The address as the configuration's endpoints print it; only the port is compared, whatever the IPv6 form.
        assertTrue(refused.getMessage().contains("error: listener '" + TestConfigs.LISTENER + "' binds UDP to the " +
            "wildcard "), refused.getMessage());
        assertTrue(refused.getMessage().contains(":" + port + ", but fast-paths.udp-batching is off"),
            refused.getMessage());
        assertTrue(refused.getMessage().contains("one listener per address"), refused.getMessage());
        try (java.net.DatagramSocket free = new java.net.DatagramSocket(null))
        {
            free.setReuseAddress(false);
            free.bind(new InetSocketAddress(port));
        }
    }

    /** Every client sends before any reply is read, for several rounds; every reply byte is checked. */
    private static void exchangeAtOnce(final ConnectedClient... clients) throws Exception
    {
        for (int round = 0; round < 20; round++)
        {
            final byte[][] sent = new byte[clients.length][];
            for (int c = 0; c < clients.length; c++)
            {
                sent[c] = payload(c, round, 100 + 37 * c + round);
                clients[c].send(sent[c]);
            }
            for (int c = 0; c < clients.length; c++)
            {
                clients[c].awaitEcho(sent[c], (byte)'A');
            }
        }
    }

    @Test
    @Timeout(30)
    void runsToAClientOfAWildcardListenerTravelTogetherFromTheAddressItSentTo() throws Exception
    {
        assumeTrue(batched(), "plain NIO refuses a wildcard UDP listener");
        final UdpEchoServer target = echoes(1)[0];
        final int port = FreePorts.udpOnEveryAddress();
        try (UdpByHand loop = new UdpByHand(true, gso() == FastPath.ON, UdpRoute.MAX_DATAGRAM,
            l -> l.bind("0.0.0.0:" + port), target.port()))
        {
            final DatagramChannel client = loop.connectedClient("127.0.0.2", "127.0.0.2");
            final Set<ByteBuffer> expected = new HashSet<>();
            for (int s = 0; s < 16; s++)
            {
                // Sent before the loop runs, so the listener's socket holds the whole run at once.
                final byte[] payload = payload(0, s, 700);
                expected.add(ByteBuffer.wrap(payload));
                assertEquals(payload.length, client.write(ByteBuffer.wrap(payload)));
            }
            final ByteBuffer reply = ByteBuffer.allocate(800);
            loop.runUntil(() ->
            {
                try
                {
                    reply.clear();
                    // A connected channel reads only what came from 127.0.0.2 at the listener's port.
                    if (client.read(reply) > 0)
                    {
                        reply.flip();
                        assertEquals('A', reply.get());
                        assertTrue(expected.remove(reply.slice()), "an unexpected reply");
                    }
                }
                catch (final java.io.IOException ex)
                {
                    throw new java.io.UncheckedIOException(ex);
                }
                return expected.isEmpty();
            }, "16 replies from 127.0.0.2");
            if (gso() == FastPath.ON)
            {
                assertTrue(((BatchedDatagramPath)loop.forwarder.path()).segmentedSends() > 0,
                    "the replies left as a segmented send");
            }
            assertEquals(List.of(), loop.errors);
        }
    }

    @Test
    @Timeout(30)
    void theLargestDatagramPassesWholeBothWays() throws Exception
    {
        final UdpEchoServer target = echoes(1)[0];
        final Portgate portgate = start(l -> { }, p -> { }, target);
        final UdpClient client = track(UdpClient.open("127.0.0.1", front(portgate)));
        final byte[] largest = Exchange.random(UdpEchoServer.MAX_DATAGRAM);
        client.send(largest);
        final byte[] echoed = client.receive();
        assertArrayEquals(largest, echoed, "a 65507-byte datagram comes back untagged and whole");
        assertEquals(UdpEchoServer.MAX_DATAGRAM, target.largest());
        assertEquals('A', client.exchange(Exchange.random(UdpEchoServer.MAX_DATAGRAM - 1)),
            "a 65506-byte datagram comes back tagged, 65507 bytes");
        assertEquals(0, stats(portgate).dropsTruncated());
    }

    @Test
    @Timeout(30)
    void burstsOfEqualSizedDatagramsComeBackWhole() throws Exception
    {
        final UdpEchoServer target = echoes(1)[0];
        final Portgate portgate = start(l -> { }, p -> { }, target);
        final UdpClient client = track(UdpClient.open("127.0.0.1", front(portgate)));
        for (int round = 0; round < 5; round++)
        {
            final Set<ByteBuffer> expected = new HashSet<>();
            for (int s = 0; s < 24; s++)
            {
                final byte[] payload = payload(round, s, s == 23 ? 500 : 1200);
                expected.add(ByteBuffer.wrap(payload));
                client.send(payload);
            }
            while (!expected.isEmpty())
            {
                final byte[] reply = client.receive();
                if (reply == null)
                {
                    fail(expected.size() + " replies of round " + round + " did not come back");
                }
                assertEquals('A', reply[0]);
                assertTrue(expected.remove(ByteBuffer.wrap(reply, 1, reply.length - 1).slice()),
                    "a reply that was not expected, or twice");
            }
        }
    }

    @Test
    @Timeout(30)
    void aTargetThatDisappearsIsCountedAndTheFlowMovesToALiveOne() throws Exception
    {
        final UdpEchoServer[] targets = echoes(2);
        final Portgate portgate = start(l -> { }, p -> p.balance(BalanceAlgorithm.ROUND_ROBIN.configName()), targets);
        final UdpClient client = track(UdpClient.open("127.0.0.1", front(portgate)));
        final byte first = client.exchange(payload(0, 0, 100));
        final int dead = first - 'A';
        targets[dead].close();

        client.send(payload(0, 1, 100));
        await(() -> stats(portgate).unreachable() == 1, "the ICMP port unreachable is counted");
        final byte moved = client.exchange(payload(0, 2, 100));
        assertNotEquals(first, moved, "the flow moved to the live target");
        assertEquals(moved, client.exchange(payload(0, 3, 100)), "and stays there");

        final UdpListenerStats stats = stats(portgate);
        assertEquals(1, stats.totalFlows(), "the same flow moved");
        assertEquals(1, stats.targets().get(dead).unreachable());
        assertEquals(0, stats.targets().get(dead).activeFlows(), "its socket to the dead target is closed");
        assertEquals(1, stats.targets().get(1 - dead).activeFlows());
    }

    @Test
    @Timeout(30)
    void idleFlowsExpireOnTheLoopsClock() throws Exception
    {
        final UdpEchoServer target = echoes(1)[0];
        try (UdpByHand loop = new UdpByHand(batched(), batched(), UdpRoute.MAX_DATAGRAM,
            l -> l.idleTimeout(Duration.ofSeconds(30)), target.port()))
        {
            final DatagramChannel client = loop.client();
            loop.exchange(client, payload(0, 0, 50));
            assertEquals(1, loop.listener(UdpSlots.L_FLOWS_ACTIVE));
            loop.advance(Duration.ofSeconds(20));
            loop.exchange(client, payload(0, 1, 50));
            loop.advance(Duration.ofSeconds(20));
            assertEquals(1, loop.listener(UdpSlots.L_FLOWS_ACTIVE), "activity 20 s ago keeps the flow");
            loop.advance(Duration.ofSeconds(11));
            assertEquals(0, loop.listener(UdpSlots.L_FLOWS_ACTIVE), "30 s quiet: expired");
            assertEquals(1, loop.listener(UdpSlots.L_FLOWS_EXPIRED));
            assertEquals(0, loop.target(0, UdpSlots.T_FLOWS_ACTIVE), "its socket closed");

            loop.exchange(client, payload(0, 2, 50));
            assertEquals(2, loop.listener(UdpSlots.L_FLOWS_TOTAL), "the client's next datagram opens a new flow");
            assertEquals(2, target.sources().size(), "from a new socket");
            assertEquals(List.of(), loop.errors);
        }
    }

    @Test
    @Timeout(30)
    void onceStoppingAFlowQuietForASecondIsDoneAndABusyOneCarriesOn() throws Exception
    {
        final UdpEchoServer target = echoes(1)[0];
        try (UdpByHand loop = new UdpByHand(batched(), batched(), UdpRoute.MAX_DATAGRAM,
            l -> l.idleTimeout(Duration.ofMinutes(10)), target.port()))
        {
            final DatagramChannel busy = loop.client();
            final DatagramChannel quiet = loop.client();
            loop.exchange(quiet, payload(1, 0, 50));
            loop.exchange(busy, payload(2, 0, 50));
            loop.advance(Duration.ofMillis(600));
            loop.exchange(busy, payload(2, 1, 50));
            loop.forwarder.stopAccepting();
            loop.advance(Duration.ofMillis(500));
            assertEquals(1, loop.listener(UdpSlots.L_FLOWS_ACTIVE), "1.1 s quiet: done; 0.5 s quiet: carries on");
            assertEquals(1, loop.listener(UdpSlots.L_FLOWS_EXPIRED));

            loop.exchange(busy, payload(2, 2, 50));
            loop.advance(Duration.ofMillis(900));
            loop.exchange(busy, payload(2, 3, 50));
            loop.advance(Duration.ofMillis(900));
            assertEquals(1, loop.listener(UdpSlots.L_FLOWS_ACTIVE), "a datagram every 0.9 s keeps it");
            loop.advance(Duration.ofMillis(200));
            assertEquals(0, loop.listener(UdpSlots.L_FLOWS_ACTIVE), "then a second without one ends it");
            assertEquals(0, loop.target(0, UdpSlots.T_FLOWS_ACTIVE), "its socket closed");
            assertEquals(0, loop.forwarder.openCount());

            loop.send(quiet, payload(1, 1, 50));
            loop.runUntil(() -> loop.listener(UdpSlots.L_DROP_DRAINING) == 1, "a stopping balancer turns a " +
                "client without a flow away");
            assertEquals(2, loop.listener(UdpSlots.L_FLOWS_TOTAL), "no new flow");
            assertEquals(List.of(), loop.errors);
        }
    }

    @Test
    @Timeout(30)
    void aFullFlowTableEvictsTheLongestIdleFlowAndCountsIt() throws Exception
    {
        final UdpEchoServer target = echoes(1)[0];
        try (UdpByHand loop = new UdpByHand(batched(), batched(), UdpRoute.MAX_DATAGRAM, l -> l.maxFlows(3),
            target.port()))
        {
            final DatagramChannel a = loop.client();
            final DatagramChannel b = loop.client();
            final DatagramChannel c = loop.client();
            final DatagramChannel d = loop.client();
            loop.exchange(a, payload(1, 0, 40));
            loop.exchange(b, payload(2, 0, 40));
            loop.exchange(c, payload(3, 0, 40));
            loop.exchange(a, payload(1, 1, 40));
            assertEquals(3, loop.listener(UdpSlots.L_FLOWS_TOTAL));

            loop.exchange(d, payload(4, 0, 40));
            assertEquals(1, loop.listener(UdpSlots.L_FLOWS_EVICTED));
            assertEquals(3, loop.listener(UdpSlots.L_FLOWS_ACTIVE));
            loop.exchange(a, payload(1, 2, 40));
            assertEquals(4, loop.listener(UdpSlots.L_FLOWS_TOTAL), "a was active lately and kept its flow");
            loop.exchange(b, payload(2, 1, 40));
            assertEquals(5, loop.listener(UdpSlots.L_FLOWS_TOTAL), "b was the longest idle and was evicted");
            assertEquals(2, loop.listener(UdpSlots.L_FLOWS_EVICTED));
            assertEquals(3, loop.target(0, UdpSlots.T_FLOWS_ACTIVE), "evicted flows closed their sockets");
            assertEquals(List.of(), loop.errors);
        }
    }

    @Test
    @Timeout(30)
    void datagramsLargerThanTheLimitAreCountedNotForwarded() throws Exception
    {
        final UdpEchoServer target = echoes(1)[0];
        try (UdpByHand loop = new UdpByHand(batched(), batched(), 1000, l -> { }, target.port()))
        {
            final DatagramChannel client = loop.client();
            loop.exchange(client, payload(0, 0, 999));
            assertEquals(1, target.received());

            loop.send(client, payload(0, 1, 1001));
            loop.runUntil(() -> loop.listener(UdpSlots.L_DROP_TRUNCATED) == 1, "the oversized datagram counted");
            loop.send(client, payload(0, 2, 1000));
            loop.runUntil(() -> loop.listener(UdpSlots.L_DROP_TRUNCATED) == 2,
                "its 1001-byte reply counted on the way back");
            assertEquals(2, target.received(), "the 1001-byte datagram never reached the target");
            assertEquals(1000, target.largest());
            assertEquals(2, loop.listener(UdpSlots.L_DATAGRAMS_IN));
            assertEquals(1, loop.listener(UdpSlots.L_DATAGRAMS_OUT));
            final ByteBuffer nothing = ByteBuffer.allocate(2000);
            loop.runFor(Duration.ofMillis(50));
            assertNull(client.receive(nothing), "no reply was forwarded cut short");
            assertEquals(List.of(), loop.errors);
        }
    }

    @Test
    @Timeout(30)
    void runsOfOneClientsDatagramsTravelTogether() throws Exception
    {
        final UdpEchoServer target = echoes(1)[0];
        try (UdpByHand loop = new UdpByHand(batched(), gso() == FastPath.ON, UdpRoute.MAX_DATAGRAM, l -> { },
            target.port()))
        {
            final DatagramChannel client = loop.client();
            loop.exchange(client, payload(0, 0, 10));
            final Set<ByteBuffer> expected = new HashSet<>();
            for (int s = 0; s < 16; s++)
            {
                // Sent before the loop runs, so the listener's socket holds the whole run at once.
                final byte[] payload = payload(0, s + 1, 700);
                expected.add(ByteBuffer.wrap(payload));
                loop.send(client, payload);
            }
            final ByteBuffer reply = ByteBuffer.allocate(800);
            loop.runUntil(() ->
            {
                try
                {
                    reply.clear();
                    if (client.receive(reply) != null)
                    {
                        reply.flip();
                        assertEquals('A', reply.get());
                        assertTrue(expected.remove(reply.slice()), "an unexpected reply");
                    }
                }
                catch (final java.io.IOException ex)
                {
                    throw new java.io.UncheckedIOException(ex);
                }
                return expected.isEmpty();
            }, "16 replies");
            if (loop.forwarder.path() instanceof BatchedDatagramPath batchedPath && gso() == FastPath.ON)
            {
                assertTrue(batchedPath.segmentedSends() > 0, "the run left as one segmented send");
            }
            assertEquals(List.of(), loop.errors);
        }
    }
}
