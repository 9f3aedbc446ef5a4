package io.portgate.bench.harness;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each mode against the harness's own servers on 127.0.0.1, in runs of well under a second. */
@Timeout(20)
class BenchRunnerTest
{
    static final InetSocketAddress ANY_LOOPBACK_PORT = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    @TempDir
    Path dir;

    static BenchContext shortRun(final BenchMode mode, final InetSocketAddress target)
    {
        return new BenchContext().mode(mode).target(target).duration(Duration.ofMillis(600))
            .warmup(Duration.ofMillis(200)).timeout(Duration.ofMillis(500));
    }

    static void assertOrdered(final LatencySummary s)
    {
        assertTrue(s.count() > 0, "no values: " + s);
        assertTrue(s.min() <= s.p50(), s.toString());
        assertTrue(s.p50() <= s.p90(), s.toString());
        assertTrue(s.p90() <= s.p99(), s.toString());
        assertTrue(s.p99() <= s.p999(), s.toString());
        assertTrue(s.p999() <= s.max(), s.toString());
    }

    @Test
    void rrClosedLoopAgainstTheEchoServer() throws IOException
    {
        try (BenchServer echo = BenchServer.start(BenchServer.Kind.TCP_ECHO, ANY_LOOPBACK_PORT))
        {
            final List<String> progress = new CopyOnWriteArrayList<>();
            final BenchReport r = BenchRunner.run(shortRun(BenchMode.RR, echo.localAddress()).connections(4)
                .progress(progress::add));
            assertTrue(r.operations() > 0, r.toText());
            assertEquals(0, r.errors(), r.toText());
            assertEquals(0, r.mismatches(), r.toText());
            assertEquals(List.of("latency"), new ArrayList<>(r.distributions().keySet()));
            assertEquals(r.operations(), r.latency().count(), "every measured round trip is in the histogram");
            assertOrdered(r.latency());
            assertEquals(r.operations() * 64, r.bytes(), 64 * 4.0, "one 64-byte request per round trip");
            assertTrue(r.measuredNanos() > 0 && r.measuredNanos() <= Duration.ofMillis(600).toNanos());
            assertTrue(r.toText().contains("round trips"), r.toText());
            assertTrue(echo.connections() >= 4);
        }
    }

    @Test
    void rrConstantRateReportsLatencyAndServiceTime() throws IOException
    {
        try (BenchServer echo = BenchServer.start(BenchServer.Kind.TCP_ECHO, ANY_LOOPBACK_PORT))
        {
            final BenchReport r = BenchRunner.run(shortRun(BenchMode.RR, echo.localAddress()).connections(2)
                .ratePerSecond(2_000).size(100).threads(2));
            assertEquals(List.of("latency", "service"), new ArrayList<>(r.distributions().keySet()));
            assertOrdered(r.latency());
            assertOrdered(r.distributions().get("service"));
            // 2000/s for 0.6s is 1200 round trips; a loaded machine may fall behind, and a backlog from the
            // warm-up may complete in the measured time, but never more than the whole schedule of 0.8s.
            assertTrue(r.operations() > 300 && r.operations() <= 1_601, r.toText());
            assertTrue(r.latency().p50() >= r.distributions().get("service").p50(), r.toText());
        }
    }

    @Test
    void countLimitEndsTheRunEarly() throws IOException
    {
        try (BenchServer echo = BenchServer.start(BenchServer.Kind.TCP_ECHO, ANY_LOOPBACK_PORT))
        {
            final BenchReport r = BenchRunner.run(shortRun(BenchMode.RR, echo.localAddress()).connections(3)
                .warmup(Duration.ZERO).duration(Duration.ofSeconds(10)).count(100));
            assertEquals(100, r.operations(), r.toText());
            assertTrue(r.measuredNanos() < Duration.ofSeconds(5).toNanos(), r.toText());
        }
    }

    @Test
    void connectCountsConnectionsAndHandshakes() throws IOException
    {
        try (BenchServer echo = BenchServer.start(BenchServer.Kind.TCP_ECHO, ANY_LOOPBACK_PORT))
        {
            final BenchReport r = BenchRunner.run(shortRun(BenchMode.CONNECT, echo.localAddress()).connections(2)
                .ratePerSecond(400));
            assertTrue(r.operations() > 0, r.toText());
            assertEquals(List.of("handshake", "connect"), new ArrayList<>(r.distributions().keySet()));
            assertOrdered(r.latency());
            assertEquals(r.operations(), r.latency().count());
            // Every measured connection was accepted by the server; the warm-up's and the probe's come on top.
            assertTrue(echo.connections() >= r.operations(), echo.connections() + " < " + r.operations());
            // Never more than the whole schedule, warm-up included: 400/s for 0.8s.
            assertTrue(r.operations() <= 321, r.toText());
        }
    }

    @Test
    void udpRoundTripsAgainstTheUdpEchoServer() throws IOException
    {
        try (BenchServer echo = BenchServer.start(BenchServer.Kind.UDP_ECHO, ANY_LOOPBACK_PORT))
        {
            final BenchReport r = BenchRunner.run(shortRun(BenchMode.UDP_RR, echo.localAddress()).connections(3));
            assertTrue(r.operations() > 0, r.toText());
            assertOrdered(r.latency());
            assertEquals(0, r.mismatches(), r.toText());
        }
    }

    @Test
    void udpOneWayStraightIntoTheSinkLosesNothingAtALowRate() throws IOException
    {
        final BenchReport r = BenchRunner.run(new BenchContext().mode(BenchMode.UDP_ONEWAY).ratePerSecond(2_000)
            .connections(4).duration(Duration.ofSeconds(1)).warmup(Duration.ofMillis(200)));
        final BenchReport.Loss loss = r.loss();
        assertNotNull(loss);
        assertEquals(r.target(), r.sink(), "no target means straight into the sink");
        // The schedule decides the measured datagrams: 2000/s for 1s.
        assertEquals(2_000, loss.sent(), 2, r.toText());
        assertEquals(loss.sent(), loss.received() + loss.lost(), r.toText());
        assertTrue(loss.lossFraction() < 0.01, r.toText());
        assertEquals(0, loss.duplicates(), r.toText());
        assertOrdered(r.distributions().get("one-way"));
        assertEquals(loss.received(), r.distributions().get("one-way").count());
        assertTrue(r.toText().contains("lost"), r.toText());
    }

    @Test
    void udpOneWayToNobodyIsAllLossNotACrash() throws IOException
    {
        // A sink bound to one port, the target a port nothing listens on: every datagram is lost.
        final int closedPort = freeUdpPort();
        final BenchReport r = BenchRunner.run(new BenchContext().mode(BenchMode.UDP_ONEWAY)
            .target(new InetSocketAddress(InetAddress.getLoopbackAddress(), closedPort))
            .sinkBind(ANY_LOOPBACK_PORT).ratePerSecond(1_000).duration(Duration.ofMillis(500))
            .warmup(Duration.ZERO).drain(Duration.ofMillis(50)));
        final BenchReport.Loss loss = r.loss();
        assertTrue(loss.sent() > 0, r.toText());
        assertEquals(0, loss.received(), r.toText());
        assertEquals(loss.sent(), loss.lost(), r.toText());
        assertEquals(1.0, loss.lossFraction());
        assertEquals(0, r.distributions().get("one-way").count());
    }

    @Test
    void bulkPushesBytesIntoTheSink() throws IOException
    {
        try (BenchServer sink = BenchServer.start(BenchServer.Kind.TCP_SINK, ANY_LOOPBACK_PORT))
        {
            final BenchReport r = BenchRunner.run(shortRun(BenchMode.BULK, sink.localAddress()).connections(2));
            assertTrue(r.bytes() > 0, r.toText());
            assertTrue(r.megabytesPerSecond() > 0, r.toText());
            assertTrue(r.distributions().isEmpty());
            assertTrue(sink.bytes() >= r.bytes() - 8L * 1024 * 1024, "the sink got what was sent, less what was " +
                "still in socket buffers: " + sink.bytes() + " vs " + r.bytes());
            assertTrue(r.toText().contains("MB/s"), r.toText());
        }
    }

    @Test
    void aTargetThatIsNotThereEndsTheRunWithOneSentence()
    {
        final InetSocketAddress nobody = new InetSocketAddress(InetAddress.getLoopbackAddress(), freeTcpPort());
        for (final BenchMode mode : List.of(BenchMode.RR, BenchMode.CONNECT, BenchMode.BULK))
        {
            final IOException ex = assertThrows(IOException.class, () -> BenchRunner.run(shortRun(mode, nobody)));
            assertTrue(ex.getMessage().startsWith("cannot connect to 127.0.0.1:" + nobody.getPort()), ex.getMessage());
        }
    }

    @Test
    void histogramLogHoldsTheMeasuredIntervals() throws IOException
    {
        final Path log = dir.resolve("rr.hlog");
        try (BenchServer echo = BenchServer.start(BenchServer.Kind.TCP_ECHO, ANY_LOOPBACK_PORT))
        {
            final BenchReport r = BenchRunner.run(shortRun(BenchMode.RR, echo.localAddress()).ratePerSecond(1_000)
                .duration(Duration.ofMillis(1_500)).histogramLog(log));
            final HistogramLogReader reader = new HistogramLogReader(log.toFile());
            final Histogram latency = new Histogram(3);
            int intervals = 0;
            Histogram h;
            while ((h = (Histogram)reader.nextIntervalHistogram()) != null)
            {
                intervals++;
                if ("latency".equals(h.getTag()))
                {
                    latency.add(h);
                }
            }
            assertTrue(intervals >= 2, "intervals " + intervals);
            assertEquals(r.latency().count(), latency.getTotalCount());
            assertTrue(Files.readString(log).contains("portgate bench rr"));
        }
    }

    @Test
    void settingsAreValidatedBeforeASocketOpens()
    {
        final InetSocketAddress somewhere = new InetSocketAddress(InetAddress.getLoopbackAddress(), 9);
        assertMessage("at least 16", new BenchContext().mode(BenchMode.RR).target(somewhere).size(8));
        assertMessage("at least 16", new BenchContext().mode(BenchMode.UDP_ONEWAY).size(15));
        assertMessage("rate must be more than zero", new BenchContext().mode(BenchMode.RR).target(somewhere)
            .ratePerSecond(-1));
        assertMessage("needs a target", new BenchContext().mode(BenchMode.CONNECT));
        assertMessage("sink address", new BenchContext().mode(BenchMode.UDP_ONEWAY).target(somewhere));
        assertMessage("does not apply", new BenchContext().mode(BenchMode.BULK).target(somewhere).ratePerSecond(5));
        assertMessage("65507", new BenchContext().mode(BenchMode.UDP_RR).target(somewhere).size(70_000));
        assertMessage("duration", new BenchContext().mode(BenchMode.RR).target(somewhere).duration(Duration.ZERO));
        assertMessage("no mode", new BenchContext());
        final BenchContext defaults = new BenchContext().mode(BenchMode.BULK).target(somewhere).conclude();
        assertEquals(BenchContext.DEFAULT_BULK_WRITE_SIZE, defaults.size());
        final BenchContext oneway = new BenchContext().mode(BenchMode.UDP_ONEWAY).conclude();
        assertEquals(BenchContext.DEFAULT_ONEWAY_RATE, oneway.ratePerSecond());
        assertNull(oneway.target());
    }

    private static void assertMessage(final String expected, final BenchContext context)
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, context::conclude);
        assertTrue(ex.getMessage().contains(expected), ex.getMessage());
    }

    static int freeTcpPort()
    {
        try (var s = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            return s.getLocalPort();
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    static int freeUdpPort()
    {
        try (var s = new java.net.DatagramSocket(0, InetAddress.getLoopbackAddress()))
        {
            return s.getLocalPort();
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException(ex);
        }
    }
}
