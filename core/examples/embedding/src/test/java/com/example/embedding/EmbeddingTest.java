package com.example.embedding;

import io.portgate.JvmFlags;
import io.portgate.LatencySnapshot;
import io.portgate.ListenerStats;
import io.portgate.Portgate;
import io.portgate.PortgateContext;
import io.portgate.TargetStats;
import io.portgate.config.HealthConfig;
import io.portgate.config.ListenerConfig;
import io.portgate.config.PoolConfig;
import io.portgate.config.PortgateConfig;
import io.portgate.spi.AllocationCheck;
import io.portgate.spi.EligibleTargets;
import io.portgate.spi.Extensions;
import io.portgate.spi.PortgateEvent;
import io.portgate.spi.ProbeResult;
import io.portgate.spi.TargetState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What an embedder does with the installed portgate-core artifact alone: start a balancer with a balancing policy
 * and a health probe of its own, hear a target go down and come back up, and read the stats.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EmbeddingTest
{
    private final Random random = new Random(17);
    private long bytesSent;

    @Test
    void aBalancerWithAPolicyAndAProbeOfOurOwn() throws Exception
    {
        try (ConnectProbe probe = new ConnectProbe(); EchoBackend primary = new EchoBackend();
            EchoBackend standby = new EchoBackend())
        {
            final Extensions extensions = Extensions.builder()
                .policy("prefer-first", new PreferFirstPolicy())
                .probe("connect", probe)
                .build();
            final PortgateConfig config = PortgateConfig.builder()
                .workers(1)
                .listener(ListenerConfig.builder("web").bind("127.0.0.1:" + freePort()).pool("backends").build())
                .pool(PoolConfig.builder("backends")
                    .balance("prefer-first")
                    .health(HealthConfig.builder().probe("connect").interval(Duration.ofMillis(100))
                        .timeout(Duration.ofMillis(500)).rise(1).fall(1).build())
                    .target(InetAddress.getLoopbackAddress(), primary.port())
                    .target(InetAddress.getLoopbackAddress(), standby.port())
                    .build())
                .build();
            final BlockingQueue<PortgateEvent> events = new LinkedBlockingQueue<>();
            try (Portgate portgate = Portgate.start(new PortgateContext(config).extensions(extensions)
                .events(events::add)))
            {
                final InetSocketAddress front = portgate.boundAddresses("web").getFirst();
                roundTrips(front, 3);
                assertEquals(3, primary.served(), "the policy sends everything to the first target");
                assertEquals(0, standby.served());

                primary.stop();
                final PortgateEvent.TargetStateChanged down = await(events, primary, TargetState.DOWN);
                assertEquals(ProbeResult.REFUSED, down.probeResult());
                assertTrue(down.reason().contains("connection refused by"), down.reason());
                awaitShown(portgate, primary, TargetState.DOWN);
                roundTrips(front, 4);
                assertEquals(4, standby.served(), "with the first target down, the standby takes over");

                primary.restart();
                final PortgateEvent.TargetStateChanged up = await(events, primary, TargetState.UP);
                assertEquals(ProbeResult.OK, up.probeResult());
                awaitShown(portgate, primary, TargetState.UP);
                roundTrips(front, 2);
                assertEquals(5, primary.served(), "the first target is back and takes everything again");

                final ListenerStats web = portgate.stats().listener("web");
                assertEquals(9, web.totalConnections());
                assertEquals(bytesSent, web.bytesIn());
                assertEquals(bytesSent, web.bytesOut());
                assertEquals(Set.of(5L, 4L), web.targets().stream().map(TargetStats::totalConnections)
                    .collect(Collectors.toSet()));
                final LatencySnapshot connects = portgate.connectLatency("web");
                assertEquals(9, connects.count());
                assertTrue(connects.maxNanos() >= connects.p50Nanos() && connects.p50Nanos() > 0, connects.toString());
                assertTrue(portgate.jvmFlags().allPresent(), portgate.jvmFlags().missingOptions());
            }
        }
    }

    @Test
    void ourPolicyPicksWithoutAllocating()
    {
        final EligibleTargets targets = EligibleTargets.of(new int[] {3, 1}, new int[] {1, 1},
            new InetSocketAddress[] {new InetSocketAddress("127.0.0.1", 9001),
                new InetSocketAddress("127.0.0.1", 9002)});
        AllocationCheck.requireAllocationFree(new PreferFirstPolicy(), targets, id -> 0);
        assertEquals(1, new PreferFirstPolicy().picker(targets, id -> 0, 0).pick(42));
    }

    @Test
    void theArtifactIsAModuleExportingItsApiOnly() throws Exception
    {
        final Path jar = Path.of(io.portgate.Portgate.class.getProtectionDomain().getCodeSource().getLocation()
            .toURI());
        final ModuleDescriptor module = ModuleFinder.of(jar).findAll().iterator().next().descriptor();
        assertEquals("io.portgate.core", module.name());
        assertEquals(Set.of("io.portgate", "io.portgate.config", "io.portgate.spi"), module.exports().stream()
            .map(ModuleDescriptor.Exports::source).collect(Collectors.toSet()));
        assertTrue(JvmFlags.check().flags().size() >= 3);
    }

    private void roundTrips(final InetSocketAddress front, final int count) throws IOException
    {
        for (int i = 0; i < count; i++)
        {
            final byte[] payload = new byte[1000 + i];
            random.nextBytes(payload);
            try (Socket socket = new Socket(front.getAddress(), front.getPort()))
            {
                final OutputStream out = socket.getOutputStream();
                out.write(payload);
                out.flush();
                final InputStream in = socket.getInputStream();
                assertArrayEquals(payload, in.readNBytes(payload.length), "every byte comes back");
            }
            bytesSent += payload.length;
        }
    }

    private static PortgateEvent.TargetStateChanged await(final BlockingQueue<PortgateEvent> events,
        final EchoBackend backend, final TargetState state) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() - deadline < 0)
        {
            if (events.poll(100, TimeUnit.MILLISECONDS) instanceof PortgateEvent.TargetStateChanged change &&
                change.target().equals("127.0.0.1:" + backend.port()) && change.to() == state)
            {
                return change;
            }
        }
        throw new AssertionError("no event of 127.0.0.1:" + backend.port() + " going " + state);
    }

    private static void awaitShown(final Portgate portgate, final EchoBackend backend, final TargetState state)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() - deadline < 0)
        {
            if (portgate.targets().stream().anyMatch(t -> t.target().equals("127.0.0.1:" + backend.port()) &&
                t.state() == state))
            {
                return;
            }
            Thread.sleep(5);
        }
        throw new AssertionError("127.0.0.1:" + backend.port() + " never shown " + state);
    }

    private static int freePort() throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
    }
}
