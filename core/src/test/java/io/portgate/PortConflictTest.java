package io.portgate;

import io.portgate.config.IdleStrategyName;
import io.portgate.config.ListenerConfig;
import io.portgate.config.PoolConfig;
import io.portgate.config.PortgateConfig;
import io.portgate.config.Protocol;
import io.portgate.testing.EchoServer;
import io.portgate.testing.Exchange;
import io.portgate.testing.FreePorts;
import io.portgate.testing.OpenFds;
import io.portgate.testing.PortSquatter;
import io.portgate.testing.UdpEchoServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A port another process holds, even one that set SO_REUSEPORT as a second balancer would, is refused at start and at
 * a reload, named with its holder, before any socket of the set is bound; a balancer's own ports are not. Two
 * balancers never share one metrics file.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PortConflictTest
{
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @TempDir
    Path dir;

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

    private Portgate startLater(final PortgateConfig config)
    {
        final Portgate portgate = Portgate.start(config);
        resources.add(() -> portgate.close(Duration.ofMillis(100)));
        return portgate;
    }

    private static ListenerConfig tcp(final String name, final String bind)
    {
        return ListenerConfig.builder(name).bind(bind).pool("back").build();
    }

    private static ListenerConfig udp(final String name, final String bind)
    {
        return ListenerConfig.builder(name).protocol(Protocol.UDP).bind(bind).pool("udp").build();
    }

    private PortgateConfig config(final Path metrics, final int tcpTarget, final int udpTarget,
        final ListenerConfig... listeners)
    {
        final PortgateConfig.Builder builder = PortgateConfig.builder()
            .workers(2)
            .idleStrategy(IdleStrategyName.BACKOFF)
            .metricsFile(metrics)
            .pool(PoolConfig.builder("back").target(LOOPBACK, tcpTarget).build())
            .pool(PoolConfig.builder("udp").target(LOOPBACK, udpTarget).build());
        for (final ListenerConfig listener : listeners)
        {
            builder.listener(listener);
        }
        return builder.build();
    }

    @Test
    void aStartRefusesPortsAnotherProcessHoldsNamingThemAndLeavesNothingBound() throws Exception
    {
        final EchoServer tcpTarget = closeLater(EchoServer.start());
        final UdpEchoServer udpTarget = closeLater(UdpEchoServer.start('U'));
        final int free = FreePorts.tcp();
        final int heldTcp = FreePorts.tcp();
        final int heldUdp = FreePorts.udpOnEveryAddress();
        final PortSquatter tcpHolder = closeLater(PortSquatter.hold("tcp", "127.0.0.1", heldTcp));
        final PortSquatter udpHolder = closeLater(PortSquatter.hold("udp", "0.0.0.0", heldUdp));
        final Path metrics = dir.resolve("refused.metrics");
        final long fdsBefore = OpenFds.count();

        final UncheckedIOException refused = assertThrows(UncheckedIOException.class, () -> Portgate.start(
            config(metrics, tcpTarget.port(), udpTarget.port(), tcp("first", "127.0.0.1:" + free),
                tcp("web", "127.0.0.1:" + heldTcp), udp("dns", "127.0.0.1:" + heldUdp))));

        assertTrue(refused.getMessage().contains("listener 'web' cannot bind TCP 127.0.0.1:" + heldTcp +
            ": the port is in use by pid " + tcpHolder.pid() + " ("), refused.getMessage());
        assertTrue(refused.getMessage().contains("listener 'dns' cannot bind UDP 127.0.0.1:" + heldUdp +
            ": the port is in use by pid " + udpHolder.pid() + " ("), refused.getMessage());
        assertFalse(refused.getMessage().contains("'first'"), refused.getMessage());
        assertEquals(fdsBefore, OpenFds.awaitAtMost(fdsBefore, 5_000), "nothing left open");
        try (ServerSocket unused = new ServerSocket())
        {
            unused.bind(new InetSocketAddress(LOOPBACK, free));
        }
        assertFalse(Files.exists(metrics), "no metrics file left behind");
    }

    @Test
    void aSecondBalancerInThisProcessIsRefusedTooAndTheFirstServesOn() throws Exception
    {
        final EchoServer target = closeLater(EchoServer.start());
        final UdpEchoServer udpTarget = closeLater(UdpEchoServer.start('U'));
        final int port = FreePorts.tcp();
        final PortgateConfig config = config(dir.resolve("first.metrics"), target.port(), udpTarget.port(),
            tcp("web", "127.0.0.1:" + port));
        final Portgate first = startLater(config);

        final UncheckedIOException refused = assertThrows(UncheckedIOException.class, () -> Portgate.start(
            config(dir.resolve("second.metrics"), target.port(), udpTarget.port(), tcp("web", "127.0.0.1:" + port))));
        assertTrue(refused.getMessage().contains("the port is in use by this process, pid " +
            ProcessHandle.current().pid()), refused.getMessage());

        final InetSocketAddress front = first.boundAddresses("web").getFirst();
        for (int i = 0; i < 20; i++)
        {
            final byte[] payload = Exchange.random(300);
            assertArrayEquals(payload, Exchange.roundTrip(front, payload));
        }
        assertEquals(20, first.stats().listener("web").totalConnections(), "the first balancer took every one");
    }

    @Test
    void aReloadRefusesANewListenerOnAPortAnotherProcessHoldsAndServesOn() throws Exception
    {
        final EchoServer target = closeLater(EchoServer.start());
        final UdpEchoServer udpTarget = closeLater(UdpEchoServer.start('U'));
        final Path metrics = dir.resolve("reload.metrics");
        final PortgateConfig running = config(metrics, target.port(), udpTarget.port(),
            tcp("web", "127.0.0.1:" + FreePorts.tcp()));
        final Portgate portgate = startLater(running);
        final InetSocketAddress web = portgate.boundAddresses("web").getFirst();
        final int heldTcp = FreePorts.tcp();
        final int heldUdp = FreePorts.udpOnEveryAddress();
        final PortSquatter tcpHolder = closeLater(PortSquatter.hold("tcp", "127.0.0.1", heldTcp));
        final PortSquatter udpHolder = closeLater(PortSquatter.hold("udp", "127.0.0.1", heldUdp));
        final int free = FreePorts.tcp();

        final IllegalStateException refused = assertThrows(IllegalStateException.class, () -> portgate.reload(
            config(metrics, target.port(), udpTarget.port(), running.listeners().getFirst(),
                tcp("before", "127.0.0.1:" + free), tcp("extra", "127.0.0.1:" + heldTcp),
                udp("dns", "127.0.0.1:" + heldUdp))));

        assertTrue(refused.getMessage().contains("listener 'extra' cannot bind TCP 127.0.0.1:" + heldTcp +
            ": the port is in use by pid " + tcpHolder.pid()), refused.getMessage());
        assertTrue(refused.getMessage().contains("listener 'dns' cannot bind UDP 127.0.0.1:" + heldUdp +
            ": the port is in use by pid " + udpHolder.pid()), refused.getMessage());
        assertEquals(running, portgate.config());
        assertThrows(IllegalArgumentException.class, () -> portgate.boundAddresses("before"));
        try (ServerSocket unused = new ServerSocket())
        {
            unused.bind(new InetSocketAddress(LOOPBACK, free));
        }
        final byte[] payload = Exchange.random(1000);
        assertArrayEquals(payload, Exchange.roundTrip(web, payload));
        assertEquals(1, portgate.metrics().sum(io.portgate.metrics.Metric.RELOADS, "result", "rejected"));
    }

    @Test
    void aReloadMovingAListenerToTheWildcardOfItsOwnPortIsNoConflict() throws Exception
    {
        final EchoServer target = closeLater(EchoServer.start());
        final UdpEchoServer udpTarget = closeLater(UdpEchoServer.start('U'));
        final Path metrics = dir.resolve("move.metrics");
        final int port = FreePorts.tcp();
        final Portgate portgate = startLater(config(metrics, target.port(), udpTarget.port(),
            tcp("web", "127.0.0.1:" + port)));

        portgate.reload(config(metrics, target.port(), udpTarget.port(), tcp("everywhere", "0.0.0.0:" + port)));

        final byte[] payload = Exchange.random(800);
        assertArrayEquals(payload, Exchange.roundTrip(new InetSocketAddress("127.0.0.2", port), payload),
            "the wildcard listener serves another loopback address");
    }

    @Test
    void twoBalancersNeverShareAMetricsFile() throws Exception
    {
        final EchoServer target = closeLater(EchoServer.start());
        final UdpEchoServer udpTarget = closeLater(UdpEchoServer.start('U'));
        final Path metrics = dir.resolve("shared.metrics");
        final Portgate first = startLater(config(metrics, target.port(), udpTarget.port(),
            tcp("web", "127.0.0.1:" + FreePorts.tcp())));
        final int secondPort = FreePorts.tcp();

        final IllegalStateException refused = assertThrows(IllegalStateException.class, () -> Portgate.start(
            config(metrics, target.port(), udpTarget.port(), tcp("other", "127.0.0.1:" + secondPort))));

        assertEquals("metrics file " + metrics + " is in use by another running balancer in this process; stop " +
            "it, or give this balancer its own metrics-file", refused.getMessage());
        assertTrue(Files.exists(metrics), "the first balancer's file is untouched");
        assertEquals(first.metricsFile(), metrics);
        try (ServerSocket unused = new ServerSocket())
        {
            unused.bind(new InetSocketAddress(LOOPBACK, secondPort));
        }
        final byte[] payload = Exchange.random(100);
        assertArrayEquals(payload, Exchange.roundTrip(first.boundAddresses("web").getFirst(), payload));
        assertEquals(1, first.metrics().sum(io.portgate.metrics.Metric.TCP_CONNECTIONS),
            "the first balancer's counters are still in its file");
    }
}
