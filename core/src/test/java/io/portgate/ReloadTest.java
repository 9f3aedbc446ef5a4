package io.portgate;

import io.portgate.balance.BalanceAlgorithm;
import io.portgate.config.ConfigException;
import io.portgate.config.IdleStrategyName;
import io.portgate.config.ListenerConfig;
import io.portgate.config.PoolConfig;
import io.portgate.config.PortgateConfig;
import io.portgate.config.PortRange;
import io.portgate.config.Protocol;
import io.portgate.config.TargetConfig;
import io.portgate.testing.EchoServer;
import io.portgate.testing.Exchange;
import io.portgate.testing.FreePorts;
import io.portgate.testing.UdpClient;
import io.portgate.testing.UdpEchoServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hot reload under traffic: real clients on 127.0.0.1 through listeners whose pools, settings and neighbours change,
 * every byte and every datagram checked.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ReloadTest
{
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final int TCP_CONNECTIONS = 200;
    private static final int UDP_FLOWS = 200;
    private static final int RELOADS = 20;
    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void close() throws Exception
    {
        for (int i = resources.size() - 1; i >= 0; i--)
        {
            resources.get(i).close();
        }
    }

    private <T extends AutoCloseable> T closeLater(final T resource)
    {
        resources.add(resource);
        return resource;
    }

    @Test
    void twentyReloadsUnderTrafficLoseNothing() throws Exception
    {
        final EchoServer[] tcpTargets = new EchoServer[4];
        final UdpEchoServer[] udpTargets = new UdpEchoServer[4];
        for (int i = 0; i < 4; i++)
        {
            tcpTargets[i] = closeLater(EchoServer.start());
            udpTargets[i] = closeLater(UdpEchoServer.start(i + 1));
        }
        final int webPort = FreePorts.tcp();
        final int dnsPort = FreePorts.udp();
        final int extraPort = FreePorts.tcp();
        final Portgate portgate = Portgate.start(config(0, webPort, dnsPort, extraPort, tcpTargets, udpTargets));
        // UDP flows have no close handshake: without a short drain, closing would wait out the five minutes.
        closeLater(() -> portgate.close(Duration.ofMillis(100)));
        final InetSocketAddress web = portgate.boundAddresses("web").getFirst();
        final InetSocketAddress dns = portgate.boundAddresses("dns").getFirst();

        final AtomicBoolean stop = new AtomicBoolean();
        final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        final AtomicLong tcpBytesSent = new AtomicLong();
        final AtomicLong udpLost = new AtomicLong();
        final AtomicLongArray tcpRounds = new AtomicLongArray(TCP_CONNECTIONS);
        final AtomicLongArray udpRounds = new AtomicLongArray(UDP_FLOWS);
        final AtomicLong shortLived = new AtomicLong();
        final List<Thread> threads = new ArrayList<>();

        // 200 long-lived connections, each echoing chunks that are checked byte by byte.
        final SocketChannel[] connections = new SocketChannel[TCP_CONNECTIONS];
        for (int c = 0; c < TCP_CONNECTIONS; c++)
        {
            connections[c] = closeLater(SocketChannel.open(web));
        }
        final int tcpThreads = 8;
        for (int t = 0; t < tcpThreads; t++)
        {
            final int first = t;
            threads.add(Thread.ofPlatform().name("reload-tcp-" + t).start(() ->
            {
                final SplittableRandom random = new SplittableRandom(first);
                try
                {
                    while (!stop.get())
                    {
                        for (int c = first; c < TCP_CONNECTIONS; c += tcpThreads)
                        {
                            final byte[] chunk = new byte[1 + random.nextInt(2048)];
                            random.nextBytes(chunk);
                            Exchange.writeFully(connections[c], chunk);
                            tcpBytesSent.addAndGet(chunk.length);
                            assertArrayEquals(chunk, Exchange.readExactly(connections[c], chunk.length),
                                "connection " + c + " echoed other bytes");
                            tcpRounds.incrementAndGet(c);
                        }
                    }
                }
                catch (final Throwable ex)
                {
                    failures.add(ex);
                }
            }));
        }
        // New connections all along: none may be refused or reset while listeners and pools change.
        threads.add(Thread.ofPlatform().name("reload-tcp-new").start(() ->
        {
            final SplittableRandom random = new SplittableRandom(99);
            try
            {
                while (!stop.get())
                {
                    final byte[] payload = new byte[1 + random.nextInt(512)];
                    random.nextBytes(payload);
                    tcpBytesSent.addAndGet(payload.length);
                    assertArrayEquals(payload, Exchange.roundTrip(web, payload), "a new connection lost bytes");
                    shortLived.incrementAndGet();
                }
            }
            catch (final Throwable ex)
            {
                failures.add(ex);
            }
        }));
        // 200 UDP flows, each a client socket of its own: every datagram answered, always by the same target.
        final UdpClient[] clients = new UdpClient[UDP_FLOWS];
        final byte[] tags = new byte[UDP_FLOWS];
        for (int f = 0; f < UDP_FLOWS; f++)
        {
            clients[f] = closeLater(UdpClient.open("127.0.0.1", dns));
            clients[f].waitMillis(2_000);
        }
        final int udpThreads = 4;
        for (int t = 0; t < udpThreads; t++)
        {
            final int first = t;
            threads.add(Thread.ofPlatform().name("reload-udp-" + t).start(() ->
            {
                long sequence = 0;
                try
                {
                    while (!stop.get())
                    {
                        for (int f = first; f < UDP_FLOWS; f += udpThreads)
                        {
                            final byte[] payload = (f + "/" + sequence++).getBytes(
                                java.nio.charset.StandardCharsets.US_ASCII);
                            clients[f].send(payload);
                            final byte[] reply = clients[f].awaitReplyTo(payload);
                            if (reply == null)
                            {
                                udpLost.incrementAndGet();
                                continue;
                            }
                            if (tags[f] == 0)
                            {
                                tags[f] = reply[0];
                            }
                            assertEquals(tags[f], reply[0], "flow " + f + " moved to another target");
                            udpRounds.incrementAndGet(f);
                        }
                    }
                }
                catch (final Throwable ex)
                {
                    failures.add(ex);
                }
            }));
        }

        awaitProgress(tcpRounds, udpRounds, failures);
        for (int reload = 1; reload <= RELOADS; reload++)
        {
            final ReloadResult result = portgate.reload(config(reload, webPort, dnsPort, extraPort, tcpTargets,
                udpTargets));
            assertEquals(reload, result.generation());
            assertFalse(result.changes().isEmpty(), "reload " + reload + " changed nothing: " + result);
            assertTrue(result.restartRequired().isEmpty(), result.restartRequired().toString());
            final boolean extra = reload % 2 == 0;
            if (extra)
            {
                // The listener a reload adds forwards at once.
                final byte[] payload = Exchange.random(300);
                assertArrayEquals(payload, Exchange.roundTrip(portgate.boundAddresses("extra").getFirst(), payload));
            }
            else
            {
                assertThrows(IllegalArgumentException.class, () -> portgate.boundAddresses("extra"));
            }
            awaitProgress(tcpRounds, udpRounds, failures);
        }
        stop.set(true);
        for (final Thread thread : threads)
        {
            thread.join(30_000);
        }

        assertTrue(failures.isEmpty(), () -> failures.size() + " failure(s), first: " + failures.peek());
        assertEquals(0, udpLost.get(), "UDP replies lost");
        assertTrue(shortLived.get() > RELOADS, "only " + shortLived.get() + " new connections");
        // The counters went through 20 reloads: every connection and byte is still counted, none twice.
        final ListenerStats stats = awaitSettled(portgate, tcpBytesSent.get());
        assertEquals(TCP_CONNECTIONS, stats.activeConnections());
        assertEquals(TCP_CONNECTIONS + shortLived.get(), stats.totalConnections());
        assertEquals(tcpBytesSent.get(), stats.bytesIn());
        assertEquals(tcpBytesSent.get(), stats.bytesOut());
        final UdpListenerStats udp = portgate.stats().udpListener("dns");
        assertEquals(UDP_FLOWS, udp.activeFlows());
        assertEquals(UDP_FLOWS, udp.totalFlows());
        assertEquals(0, udp.dropsNoTarget() + udp.dropsDraining() + udp.dropsError());
    }

    /**
     * The configuration of a reload step. Even steps: pools {A, B, C}, round-robin, the extra listener present; odd
     * steps: pools {B, C, D} with B weighted up, least-conn, no extra listener. So every reload adds and removes
     * targets, and A and D come and go.
     */
    private static PortgateConfig config(final int step, final int webPort, final int dnsPort, final int extraPort,
        final EchoServer[] tcpTargets, final UdpEchoServer[] udpTargets)
    {
        final boolean even = step % 2 == 0;
        final int[] chosen = even ? new int[] {0, 1, 2} : new int[] {1, 2, 3};
        final PoolConfig.Builder tcpPool = PoolConfig.builder("tcp-pool")
            .balance((even ? BalanceAlgorithm.ROUND_ROBIN : BalanceAlgorithm.LEAST_CONN).configName());
        final PoolConfig.Builder udpPool = PoolConfig.builder("udp-pool");
        for (final int t : chosen)
        {
            tcpPool.target(new TargetConfig(LOOPBACK.getHostAddress(), LOOPBACK, PortRange.of(tcpTargets[t].port()),
                !even && t == 1 ? 3 : 1, io.portgate.config.Position.NONE, io.portgate.config.Position.NONE));
            udpPool.target(LOOPBACK, udpTargets[t].port());
        }
        final PortgateConfig.Builder config = PortgateConfig.builder()
            .workers(2)
            .idleStrategy(IdleStrategyName.BLOCK)
            .drainTimeout(Duration.ofMinutes(5))
            .listener(ListenerConfig.builder("web").bind("127.0.0.1:" + webPort).pool("tcp-pool")
                .idleTimeout(Duration.ofMinutes(10 + step)).build())
            .listener(ListenerConfig.builder("dns").protocol(Protocol.UDP).bind("127.0.0.1:" + dnsPort)
                .pool("udp-pool").idleTimeout(Duration.ofMinutes(10 + step)).build())
            .pool(tcpPool.build())
            .pool(udpPool.build());
        if (even)
        {
            config.listener(ListenerConfig.builder("extra").bind("127.0.0.1:" + extraPort).pool("tcp-pool").build());
        }
        return config.build();
    }

    /** Waits until every connection and flow has completed a round since now. */
    private static void awaitProgress(final AtomicLongArray tcpRounds, final AtomicLongArray udpRounds,
        final ConcurrentLinkedQueue<Throwable> failures) throws InterruptedException
    {
        final long[] tcpBefore = snapshot(tcpRounds);
        final long[] udpBefore = snapshot(udpRounds);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() - deadline < 0 && failures.isEmpty())
        {
            if (advanced(tcpRounds, tcpBefore) && advanced(udpRounds, udpBefore))
            {
                return;
            }
            Thread.sleep(5);
        }
        assertTrue(failures.isEmpty(), () -> "failure: " + failures.peek());
        throw new AssertionError("connections or flows stopped making progress");
    }

    private static long[] snapshot(final AtomicLongArray rounds)
    {
        final long[] copy = new long[rounds.length()];
        for (int i = 0; i < copy.length; i++)
        {
            copy[i] = rounds.get(i);
        }
        return copy;
    }

    private static boolean advanced(final AtomicLongArray rounds, final long[] before)
    {
        for (int i = 0; i < before.length; i++)
        {
            if (rounds.get(i) <= before[i])
            {
                return false;
            }
        }
        return true;
    }

    private static ListenerStats awaitSettled(final Portgate portgate, final long bytes) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        ListenerStats stats = portgate.stats().listener("web");
        while (System.nanoTime() - deadline < 0 &&
            (stats.bytesOut() != bytes || stats.activeConnections() != TCP_CONNECTIONS))
        {
            Thread.sleep(10);
            stats = portgate.stats().listener("web");
        }
        return stats;
    }

    @Test
    void anInvalidReloadChangesNothingAndSaysWhy() throws Exception
    {
        final EchoServer target = closeLater(EchoServer.start());
        final PortgateConfig running = single("web", FreePorts.tcp(), target.port());
        final Portgate portgate = closeLater(Portgate.start(running));
        final InetSocketAddress web = portgate.boundAddresses("web").getFirst();

        final PortgateConfig broken = PortgateConfig.builder()
            .workers(1)
            .listener(ListenerConfig.builder("web").bind(running.listeners().getFirst().bind()).pool("missing")
                .build())
            .pool(running.pools().get("back"))
            .build();
        final ConfigException error = assertThrows(ConfigException.class, () -> portgate.reload(broken));
        assertTrue(error.getMessage().contains("missing"), error.getMessage());
        assertEquals(running, portgate.config());
        final byte[] payload = Exchange.random(1000);
        assertArrayEquals(payload, Exchange.roundTrip(web, payload));

        // A new listener whose port is taken: refused, named, and nothing of the reload is left behind.
        try (ServerSocket taken = new ServerSocket(0, 50, LOOPBACK))
        {
            final PortgateConfig clash = PortgateConfig.builder()
                .workers(1)
                .listener(running.listeners().getFirst())
                .listener(ListenerConfig.builder("clash").bind("127.0.0.1:" + taken.getLocalPort()).pool("back")
                    .build())
                .pool(running.pools().get("back"))
                .build();
            final IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> portgate.reload(clash));
            assertTrue(refused.getMessage().contains("listener 'clash' cannot bind TCP 127.0.0.1:" +
                taken.getLocalPort()), refused.getMessage());
        }
        assertEquals(running, portgate.config());
        assertThrows(IllegalArgumentException.class, () -> portgate.boundAddresses("clash"));
        assertArrayEquals(payload, Exchange.roundTrip(web, payload));
        // Settings only a restart changes are named, and keep their running value.
        final PortgateConfig moreWorkers = PortgateConfig.builder()
            .workers(3)
            .listener(running.listeners().getFirst())
            .pool(running.pools().get("back"))
            .build();
        final ReloadResult result = portgate.reload(moreWorkers);
        assertEquals(List.of("workers 1 -> 3"), result.restartRequired());
        assertEquals(1, portgate.config().workers());
        assertTrue(result.logLine().startsWith("reload=1 result=applied changes=1 restart-required=1: "),
            result.logLine());
        // Both refusals and the reload are counted, for /metrics.
        assertEquals(1, portgate.metrics().sum(io.portgate.metrics.Metric.RELOADS, "result", "applied"));
        assertEquals(2, portgate.metrics().sum(io.portgate.metrics.Metric.RELOADS, "result", "rejected"));
    }

    @Test
    void removedTargetsAndListenersDrainUntilTheDeadline() throws Exception
    {
        final EchoServer kept = closeLater(EchoServer.start());
        final EchoServer removed = closeLater(EchoServer.start());
        final int webPort = FreePorts.tcp();
        final int oldPort = FreePorts.tcp();
        final PortgateConfig before = PortgateConfig.builder()
            .workers(1)
            .drainTimeout(Duration.ofMillis(1_500))
            .listener(ListenerConfig.builder("web").bind("127.0.0.1:" + webPort).pool("back").build())
            .listener(ListenerConfig.builder("old").bind("127.0.0.1:" + oldPort).pool("back").build())
            .pool(PoolConfig.builder("back").target(LOOPBACK, kept.port()).target(LOOPBACK, removed.port()).build())
            .build();
        final Portgate portgate = closeLater(Portgate.start(before));
        final InetSocketAddress web = portgate.boundAddresses("web").getFirst();
        final InetSocketAddress old = portgate.boundAddresses("old").getFirst();
        // Round-robin over two targets: two connections on each listener, one per target.
        final SocketChannel[] onWeb = {closeLater(SocketChannel.open(web)), closeLater(SocketChannel.open(web))};
        final SocketChannel onOld = closeLater(SocketChannel.open(old));
        for (final SocketChannel channel : onWeb)
        {
            echo(channel);
        }
        echo(onOld);
        awaitTrue(() -> removed.openConnections() >= 1 && kept.openConnections() >= 1);

        final ReloadResult result = portgate.reload(PortgateConfig.builder()
            .workers(1)
            .drainTimeout(Duration.ofMillis(1_500))
            .listener(ListenerConfig.builder("web").bind("127.0.0.1:" + webPort).pool("back").build())
            .pool(PoolConfig.builder("back").target(LOOPBACK, kept.port()).build())
            .build());
        assertTrue(result.changes().contains("-listener old (tcp 127.0.0.1:" + oldPort + ")"), result.changes()
            .toString());
        // Within the deadline everything keeps going, but the removed listener takes no one new.
        for (final SocketChannel channel : onWeb)
        {
            echo(channel);
        }
        echo(onOld);
        assertThrows(IOException.class, () -> Exchange.roundTrip(old, Exchange.random(10)));
        // New connections go only to the target that remains.
        final int removedAccepted = removed.accepted();
        for (int i = 0; i < 6; i++)
        {
            final byte[] payload = Exchange.random(100);
            assertArrayEquals(payload, Exchange.roundTrip(web, payload));
        }
        assertEquals(removedAccepted, removed.accepted());
        final TargetStats retired = portgate.stats().listener("web").targets().stream()
            .filter(t -> t.target().endsWith(":" + removed.port())).findFirst().orElseThrow();
        assertEquals(1, retired.activeConnections());

        // After the deadline, what drained is closed and what remains carries on.
        awaitTrue(() -> removed.openConnections() == 0);
        int closed = 0;
        for (final SocketChannel channel : onWeb)
        {
            closed += isClosed(channel) ? 1 : 0;
        }
        assertEquals(1, closed, "exactly the connection to the removed target is closed");
        assertTrue(isClosed(onOld), "the removed listener's connection is closed");
        for (final SocketChannel channel : onWeb)
        {
            if (!isClosed(channel))
            {
                echo(channel);
            }
        }
        assertEquals(1, portgate.stats().listener("web").activeConnections());
    }

    @Test
    void aRenamedListenerKeepsItsSocketAndItsConnections() throws Exception
    {
        final EchoServer target = closeLater(EchoServer.start());
        final PortgateConfig before = single("web", FreePorts.tcp(), target.port());
        final Portgate portgate = closeLater(Portgate.start(before));
        final InetSocketAddress address = portgate.boundAddresses("web").getFirst();
        final SocketChannel open = closeLater(SocketChannel.open(address));
        echo(open);
        final PortgateConfig renamed = PortgateConfig.builder()
            .workers(1)
            .listener(ListenerConfig.builder("www").bind(before.listeners().getFirst().bind()).pool("back").build())
            .pool(before.pools().get("back"))
            .build();
        final ReloadResult result = portgate.reload(renamed);
        assertNotEquals(0, result.changes().size());
        assertEquals(address, portgate.boundAddresses("www").getFirst());
        echo(open);
        final byte[] payload = Exchange.random(500);
        assertArrayEquals(payload, Exchange.roundTrip(address, payload));
        assertEquals(1, target.accepted() - 1, "one new connection reached the target besides the open one");
        // The open connection's gauges moved to the new name: one open (once the round trip's connection is
        // released), none once it closes, never below.
        awaitTrue(() -> portgate.stats().listener("www").activeConnections() == 1);
        assertEquals(1, portgate.stats().listener("www").targets().getFirst().activeConnections());
        assertTrue(portgate.stats().listeners().stream().noneMatch(l -> l.name().equals("web")));
        open.close();
        awaitTrue(() -> portgate.stats().listener("www").activeConnections() == 0);
        assertEquals(0, portgate.stats().listener("www").targets().getFirst().activeConnections());
    }

    @Test
    void healthVerdictsAndDrainsSurviveAReload() throws Exception
    {
        final EchoServer up = closeLater(EchoServer.start());
        final EchoServer dead = closeLater(EchoServer.start());
        final EchoServer drained = closeLater(EchoServer.start());
        final EchoServer added = closeLater(EchoServer.start());
        final int webPort = FreePorts.tcp();
        // Ports are read now: a server that stopped listening no longer has one.
        final int[] ports = {up.port(), dead.port(), drained.port(), added.port()};
        final Portgate portgate = closeLater(Portgate.start(healthy(webPort, ports[0], ports[1], ports[2])));
        final String deadLabel = "127.0.0.1:" + ports[1];
        final String drainedLabel = "127.0.0.1:" + drained.port();
        dead.stopListening();
        awaitTrue(() -> state(portgate, deadLabel) == io.portgate.spi.TargetState.DOWN);
        portgate.drain("back", drainedLabel);
        awaitTrue(() -> state(portgate, drainedLabel) == io.portgate.spi.TargetState.DRAINING);

        final ReloadResult result = portgate.reload(healthy(webPort, ports));
        assertEquals(List.of("pool back: +target 127.0.0.1:" + ports[3]), result.changes());
        // From the first moment after the reload: the dead target stays down and the drained one drained, so no
        // new connection goes to either (a connect to the dead one would be counted as a failure).
        assertEquals(io.portgate.spi.TargetState.DOWN, state(portgate, deadLabel));
        assertEquals(io.portgate.spi.TargetState.DRAINING, state(portgate, drainedLabel));
        // Counted by the balancer, not by the target, which also accepts health probes.
        final long drainedConnections = targetConnections(portgate, drainedLabel);
        final InetSocketAddress web = portgate.boundAddresses("web").getFirst();
        for (int i = 0; i < 12; i++)
        {
            final byte[] payload = Exchange.random(64);
            assertArrayEquals(payload, Exchange.roundTrip(web, payload));
        }
        assertEquals(drainedConnections, targetConnections(portgate, drainedLabel));
        assertEquals(0, portgate.stats().listener("web").connectFailures());
        assertTrue(targetConnections(portgate, "127.0.0.1:" + ports[3]) > 0, "the added target takes connections");
    }

    private static long targetConnections(final Portgate portgate, final String label)
    {
        return portgate.stats().listener("web").targets().stream().filter(t -> t.target().equals(label))
            .findFirst().orElseThrow().totalConnections();
    }

    private static io.portgate.spi.TargetState state(final Portgate portgate, final String label)
    {
        return portgate.targets().stream().filter(v -> v.target().equals(label)).findFirst().orElseThrow().state();
    }

    private static PortgateConfig healthy(final int webPort, final int... targets)
    {
        final PoolConfig.Builder pool = PoolConfig.builder("back")
            .health(io.portgate.config.HealthConfig.builder().protocol(io.portgate.config.HealthProtocol.TCP)
                .interval(Duration.ofMillis(50)).timeout(Duration.ofMillis(500)).rise(1).fall(1).build());
        for (final int target : targets)
        {
            pool.target(LOOPBACK, target);
        }
        return PortgateConfig.builder()
            .workers(2)
            .listener(ListenerConfig.builder("web").bind("127.0.0.1:" + webPort).pool("back").build())
            .pool(pool.build())
            .build();
    }

    @Test
    void udpFlowsDrainFromRemovedTargetsAndListeners() throws Exception
    {
        final UdpEchoServer one = closeLater(UdpEchoServer.start(1));
        final UdpEchoServer two = closeLater(UdpEchoServer.start(2));
        final int dnsPort = FreePorts.udp();
        final int oldPort = FreePorts.udp();
        final PortgateConfig before = udpConfig(dnsPort, oldPort, one, two);
        final Portgate portgate = Portgate.start(before);
        closeLater(() -> portgate.close(Duration.ZERO));
        final InetSocketAddress dns = portgate.boundAddresses("dns").getFirst();
        final InetSocketAddress old = portgate.boundAddresses("old").getFirst();
        // Flows until one of them is on target 1, which the reload removes, and one is on target 2.
        final List<UdpClient> onOne = new ArrayList<>();
        final List<UdpClient> onTwo = new ArrayList<>();
        for (int i = 0; i < 40 && (onOne.isEmpty() || onTwo.isEmpty()); i++)
        {
            final UdpClient client = closeLater(UdpClient.open("127.0.0.1", dns));
            (client.exchange(("hello " + i).getBytes()) == 1 ? onOne : onTwo).add(client);
        }
        assertFalse(onOne.isEmpty() || onTwo.isEmpty(), "flows on both targets");
        final UdpClient onOld = closeLater(UdpClient.open("127.0.0.1", old));
        assertNotEquals(0, onOld.exchange("old listener".getBytes()));

        portgate.reload(udpConfig(dnsPort, -1, two));
        // Until the deadline: the flow on the removed target and the removed listener's flow still get answers
        // from where they were, and a new client of the removed listener is turned away.
        assertEquals(1, onOne.getFirst().exchange("still one".getBytes()));
        assertEquals(2, onTwo.getFirst().exchange("still two".getBytes()));
        assertNotEquals(0, onOld.exchange("old, still".getBytes()));
        final UdpClient late = closeLater(UdpClient.open("127.0.0.1", old));
        late.waitMillis(300);
        late.send("too late".getBytes());
        assertEquals(null, late.awaitReplyTo("too late".getBytes()));
        assertEquals(1, portgate.stats().udpListeners().stream().filter(l -> l.name().equals("old"))
            .findFirst().orElseThrow().dropsDraining());

        // After it: the flow on the removed target moves to the remaining one; the removed listener is gone. The
        // deadline has passed once the worker has closed the removed listener's flow and the flow's socket to the
        // removed target.
        final String removedTarget = "127.0.0.1:" + one.port();
        awaitTrue(() -> udpStats(portgate, "old").activeFlows() == 0 && udpStats(portgate, "dns").targets().stream()
            .filter(t -> t.target().equals(removedTarget)).allMatch(t -> t.activeFlows() == 0));
        assertEquals(2, onOne.getFirst().exchange("moved".getBytes()));
        assertEquals(2, onTwo.getFirst().exchange("still two, later".getBytes()));
        onOld.waitMillis(300);
        onOld.send("old, after".getBytes());
        assertEquals(null, onOld.awaitReplyTo("old, after".getBytes()));
    }

    private static UdpListenerStats udpStats(final Portgate portgate, final String listener)
    {
        return portgate.stats().udpListeners().stream().filter(l -> l.name().equals(listener)).findFirst()
            .orElseThrow();
    }

    private static PortgateConfig udpConfig(final int dnsPort, final int oldPort, final UdpEchoServer... targets)
    {
        final PoolConfig.Builder pool = PoolConfig.builder("udp").balance(BalanceAlgorithm.ROUND_ROBIN.configName());
        for (final UdpEchoServer target : targets)
        {
            pool.target(LOOPBACK, target.port());
        }
        final PortgateConfig.Builder config = PortgateConfig.builder()
            .workers(1)
            .drainTimeout(Duration.ofMillis(800))
            .listener(ListenerConfig.builder("dns").protocol(Protocol.UDP).bind("127.0.0.1:" + dnsPort).pool("udp")
                .build())
            .pool(pool.build());
        if (oldPort > 0)
        {
            config.listener(ListenerConfig.builder("old").protocol(Protocol.UDP).bind("127.0.0.1:" + oldPort)
                .pool("udp").build());
        }
        return config.build();
    }

    @Test
    void reloadReadsTheFileItStartedFromAgain(@org.junit.jupiter.api.io.TempDir final java.nio.file.Path dir)
        throws Exception
    {
        final EchoServer first = closeLater(EchoServer.start());
        final EchoServer second = closeLater(EchoServer.start());
        final java.nio.file.Path file = dir.resolve("portgate.yaml");
        final String listener = "listeners:\n  - name: web\n    bind: 127.0.0.1:" + FreePorts.tcp() + "\n    pool: back\n";
        java.nio.file.Files.writeString(file, "workers: 1\n" + listener +
            "pools:\n  back:\n    targets:\n      - 127.0.0.1:" + first.port() + "\n");
        final PortgateConfig config = io.portgate.config.ConfigLoader.load(file,
            io.portgate.config.HostFacts.system()).orThrow();
        final Portgate portgate = closeLater(Portgate.start(config));

        java.nio.file.Files.writeString(file, "workers: 1\n" + listener + "pools:\n  back:\n    balance: fastest\n" +
            "    targets:\n      - 127.0.0.1:" + second.port() + "\n");
        final ConfigException invalid = assertThrows(ConfigException.class, portgate::reload);
        assertTrue(invalid.getMessage().startsWith(file + ":8:14: error: pool 'back' balance 'fastest'"),
            invalid.getMessage());
        assertEquals(config, portgate.config());

        java.nio.file.Files.writeString(file, "workers: 1\n" + listener + "pools:\n  back:\n" +
            "    targets:\n      - 127.0.0.1:" + second.port() + "\n");
        final ReloadResult result = portgate.reload();
        assertEquals(List.of("pool back: -target 127.0.0.1:" + first.port(), "pool back: +target 127.0.0.1:" +
            second.port()), result.changes());
        final byte[] payload = Exchange.random(200);
        assertArrayEquals(payload, Exchange.roundTrip(portgate.boundAddresses("web").getFirst(), payload));
        awaitTrue(() -> second.accepted() == 1);
        assertEquals(1, portgate.metrics().sum(io.portgate.metrics.Metric.RELOADS, "result", "applied"));
        assertEquals(1, portgate.metrics().sum(io.portgate.metrics.Metric.RELOADS, "result", "rejected"));
        // Built in code, there is no file to read.
        final Portgate inCode = closeLater(Portgate.start(single("code", FreePorts.tcp(), first.port())));
        assertThrows(IllegalStateException.class, inCode::reload);
    }

    @Test
    void aBacklogChangeTakesEffectOnTheSocketsAListenerKeeps() throws Exception
    {
        final EchoServer target = closeLater(EchoServer.start());
        final int port = FreePorts.tcp();
        final PortgateConfig before = single("web", port, target.port());
        final Portgate portgate = closeLater(Portgate.start(before));
        final SocketChannel open = closeLater(SocketChannel.open(portgate.boundAddresses("web").getFirst()));
        echo(open);
        final ReloadResult result = portgate.reload(PortgateConfig.builder()
            .workers(1)
            .listener(ListenerConfig.builder("web").bind("127.0.0.1:" + port).pool("back").backlog(77).build())
            .pool(before.pools().get("back"))
            .build());
        assertEquals(List.of("listener web: backlog 1024 -> 77"), result.changes());
        assertEquals(List.of(), result.restartRequired(), "listen(2) again changes it in place");
        echo(open);
        // ss shows a listening socket's backlog as its Send-Q.
        final Process ss;
        try
        {
            ss = new ProcessBuilder("ss", "-ltnH", "sport = :" + port).redirectErrorStream(true).start();
        }
        catch (final IOException ex)
        {
            org.junit.jupiter.api.Assumptions.abort("ss is not installed: " + ex.getMessage());
            return;
        }
        final String sockets = new String(ss.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, ss.waitFor());
        assertTrue(sockets.lines().anyMatch(l -> l.trim().split("\\s+")[2].equals("77")), sockets);
    }

    private static PortgateConfig single(final String name, final int port, final int targetPort)
    {
        return PortgateConfig.builder()
            .workers(1)
            .listener(ListenerConfig.builder(name).bind("127.0.0.1:" + port).pool("back").build())
            .pool(PoolConfig.builder("back").target(LOOPBACK, targetPort).build())
            .build();
    }

    private static void echo(final SocketChannel channel) throws IOException
    {
        final byte[] payload = Exchange.random(700);
        Exchange.writeFully(channel, payload);
        assertArrayEquals(payload, Exchange.readExactly(channel, payload.length));
    }

    private static boolean isClosed(final SocketChannel channel)
    {
        try
        {
            Exchange.writeFully(channel, new byte[] {1});
            final byte[] back = Exchange.readExactly(channel, 1);
            return !Arrays.equals(new byte[] {1}, back);
        }
        catch (final IOException | RuntimeException | AssertionError ex)
        {
            return true;
        }
    }

    private static void awaitTrue(final java.util.function.BooleanSupplier condition) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new AssertionError("condition not met in 10 s");
            }
            Thread.sleep(10);
        }
    }
}
