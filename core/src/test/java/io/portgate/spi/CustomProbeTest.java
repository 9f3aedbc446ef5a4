package io.portgate.spi;

import io.portgate.Portgate;
import io.portgate.PortgateContext;
import io.portgate.TargetView;
import io.portgate.config.ConfigLoader;
import io.portgate.config.Diagnostic;
import io.portgate.config.HostFacts;
import io.portgate.config.PortgateConfig;
import io.portgate.config.Position;
import io.portgate.config.Severity;
import io.portgate.testing.EchoServer;
import io.portgate.testing.Exchange;
import io.portgate.testing.FreePorts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A health probe of the embedder's own, selected by {@code health: {protocol: NAME}}, takes targets down and brings
 * them back up; real connections follow its verdicts, and the events say why.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CustomProbeTest
{
    @Test
    void aRegisteredProbeDecidesWhereConnectionsGo(@TempDir final Path dir) throws Exception
    {
        try (FlagProbe probe = new FlagProbe(); EchoServer a = EchoServer.start(); EchoServer b = EchoServer.start())
        {
            final Extensions extensions = Extensions.builder().probe(FlagProbe.NAME, probe).build();
            final Path file = dir.resolve("portgate.yaml");
            Files.writeString(file, yaml(a, b, FlagProbe.NAME));
            final PortgateConfig config = ConfigLoader.load(file, HostFacts.system(), extensions).orThrow();
            assertEquals(FlagProbe.NAME, config.pools().get("back").health().protocolName());
            final BlockingQueue<PortgateEvent> events = new LinkedBlockingQueue<>();
            try (Portgate portgate = Portgate.start(new PortgateContext(config).extensions(extensions)
                .events(events::add)))
            {
                probe.healthy(a.address(), false);
                final PortgateEvent.TargetStateChanged down = awaitState(events, a, TargetState.DOWN);
                assertEquals(TargetState.UP, down.from());
                assertEquals(ProbeResult.BAD_REPLY, down.probeResult());
                assertEquals("back", down.pool());
                assertTrue(down.reason().contains("the flag of back says down"), down.reason());
                awaitShown(portgate, a, "down");

                final int before = a.accepted();
                roundTrips(portgate, 6);
                assertEquals(before, a.accepted(), "a target the probe took down gets no connection");
                assertTrue(b.accepted() >= 6);

                probe.healthy(a.address(), true);
                final PortgateEvent.TargetStateChanged up = awaitState(events, a, TargetState.UP);
                assertEquals(TargetState.DOWN, up.from());
                assertEquals(ProbeResult.OK, up.probeResult());
                assertTrue(up.reason().contains("flag up"), up.reason());
                awaitShown(portgate, a, "up");
                final TargetView view = portgate.targets().stream()
                    .filter(t -> t.target().equals("127.0.0.1:" + a.port())).findFirst().orElseThrow();
                assertEquals("flag:" + a.port(), view.probe());
                assertEquals(ProbeResult.OK, view.lastResult());
            }
        }
    }

    @Test
    void aProbeThatNeverAnswersTimesOut() throws Exception
    {
        try (FlagProbe probe = new FlagProbe(); EchoServer a = EchoServer.start(); EchoServer b = EchoServer.start())
        {
            final Extensions extensions = Extensions.builder().probe(FlagProbe.NAME, probe).build();
            final PortgateConfig config = ConfigLoader.load("inline.yaml", yaml(a, b, FlagProbe.NAME),
                HostFacts.system(), extensions).orThrow();
            final BlockingQueue<PortgateEvent> events = new LinkedBlockingQueue<>();
            try (Portgate portgate = Portgate.start(new PortgateContext(config).extensions(extensions)
                .events(events::add)))
            {
                probe.silent(a.address(), true);
                final PortgateEvent.TargetStateChanged down = awaitState(events, a, TargetState.DOWN);
                assertEquals(ProbeResult.TIMEOUT, down.probeResult());
                assertTrue(down.reason().contains("no report within 200ms"), down.reason());
                // A late answer is ignored; the next probe that answers brings it back.
                probe.silent(a.address(), false);
                assertEquals(ProbeResult.OK, awaitState(events, a, TargetState.UP).probeResult());
            }
        }
    }

    @Test
    void aFileNamingAnUnknownProbeIsAnError() throws Exception
    {
        final Extensions extensions = Extensions.builder().probe(FlagProbe.NAME,
            (request, callback) -> callback.succeeded(null)).build();
        final List<Diagnostic> errors = ConfigLoader.load("inline.yaml", yaml(null, null, "flg"), HostFacts.system(),
            extensions).diagnostics().stream().filter(d -> d.severity() == Severity.ERROR).toList();
        assertEquals(1, errors.size(), errors.toString());
        assertEquals(new Position(10, 17), errors.getFirst().position(), errors.getFirst().toString());
        assertTrue(errors.getFirst().message().contains("'flg' is not a health probe"), errors.toString());
        assertTrue(errors.getFirst().message().contains("registered: flag"), errors.toString());
    }

    private static PortgateEvent.TargetStateChanged awaitState(final BlockingQueue<PortgateEvent> events,
        final EchoServer target, final TargetState state) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() - deadline < 0)
        {
            final PortgateEvent event = events.poll(100, TimeUnit.MILLISECONDS);
            if (event instanceof PortgateEvent.TargetStateChanged change &&
                change.target().equals("127.0.0.1:" + target.port()) && change.to() == state)
            {
                return change;
            }
        }
        throw new AssertionError("no event of 127.0.0.1:" + target.port() + " going " + state);
    }

    private static void awaitShown(final Portgate portgate, final EchoServer target, final String state)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() - deadline < 0)
        {
            final TargetView view = portgate.targets().stream()
                .filter(t -> t.target().equals("127.0.0.1:" + target.port())).findFirst().orElse(null);
            assertNotNull(view);
            if (view.state().label().equals(state))
            {
                return;
            }
            Thread.sleep(5);
        }
        throw new AssertionError("127.0.0.1:" + target.port() + " never shown " + state);
    }

    private static void roundTrips(final Portgate portgate, final int count) throws Exception
    {
        final var front = portgate.boundAddresses("web").getFirst();
        for (int i = 0; i < count; i++)
        {
            final byte[] payload = Exchange.random(64 + i);
            assertArrayEquals(payload, Exchange.roundTrip(front, payload));
        }
    }

    private static String yaml(final EchoServer a, final EchoServer b, final String probe)
    {
        return """
            workers: 1
            listeners:
              - name: web
                bind: 127.0.0.1:%d
                pool: back
            pools:
              back:
                port: 1
                health:
                  protocol: %s
                  interval: 50ms
                  timeout: 200ms
                  rise: 1
                  fall: 1
                targets: [127.0.0.1:%d, 127.0.0.1:%d]
            """.formatted(FreePorts.tcp(), probe, a == null ? 9001 : a.port(), b == null ? 9002 : b.port());
    }
}
