package io.portgate.bench.harness;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;

import static io.portgate.bench.harness.BenchRunnerTest.ANY_LOOPBACK_PORT;
import static io.portgate.bench.harness.BenchRunnerTest.assertOrdered;
import static io.portgate.bench.harness.BenchRunnerTest.shortRun;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The harness measures whatever sits between it and a server, not only direct connections: small relays written
 * here stand in for a balancer, including one that drops connections and one that loses and duplicates datagrams.
 */
@Timeout(20)
class AgainstAPeerTest
{
    @Test
    void rrThroughATcpRelay() throws IOException
    {
        try (BenchServer echo = BenchServer.start(BenchServer.Kind.TCP_ECHO, ANY_LOOPBACK_PORT);
             TcpRelay relay = new TcpRelay(echo.localAddress(), Long.MAX_VALUE))
        {
            final BenchReport r = BenchRunner.run(shortRun(BenchMode.RR, relay.address()).connections(3)
                .ratePerSecond(1_500));
            assertTrue(r.operations() > 0, r.toText());
            assertEquals(0, r.errors(), r.toText());
            assertOrdered(r.latency());
            assertEquals(3, relay.accepted.get(), "the connections went through the relay");
            assertEquals(3, echo.connections(), "and the relay's went to the server");
        }
    }

    @Test
    void rrThroughARelayThatCutsConnectionsReconnectsAndCountsErrors() throws IOException
    {
        try (BenchServer echo = BenchServer.start(BenchServer.Kind.TCP_ECHO, ANY_LOOPBACK_PORT);
             TcpRelay relay = new TcpRelay(echo.localAddress(), 64 * 50))
        {
            final BenchReport r = BenchRunner.run(shortRun(BenchMode.RR, relay.address()).connections(2)
                .ratePerSecond(1_000).duration(Duration.ofMillis(800)));
            assertTrue(r.errors() > 0, r.toText());
            assertTrue(relay.accepted.get() > 2, "reconnected: " + relay.accepted.get());
            // Every connection carries 50 round trips before the cut, so measuring goes on across the cuts.
            assertTrue(r.operations() > 100, r.toText());
            assertTrue(r.errorMessages().stream().anyMatch(m -> m.contains("closed the connection") ||
                m.contains("reset") || m.contains("failed")), r.errorMessages().toString());
        }
    }

    @Test
    void udpOneWayThroughALossyRelayCountsExactly() throws IOException
    {
        // Learn a free port for the run's own sink, then free it: the relay must know where to forward.
        final InetSocketAddress sinkAddress = new InetSocketAddress(InetAddress.getLoopbackAddress(),
            BenchRunnerTest.freeUdpPort());
        try (UdpRelay relay = new UdpRelay(sinkAddress, 10, 25))
        {
            final BenchReport r = BenchRunner.run(new BenchContext().mode(BenchMode.UDP_ONEWAY)
                .target(relay.address()).sinkBind(sinkAddress).ratePerSecond(2_000).connections(3)
                .warmup(Duration.ZERO).duration(Duration.ofMillis(800)).drain(Duration.ofMillis(500)));
            final BenchReport.Loss loss = r.loss();
            assertEquals(relay.received.get(), loss.sent(), r.toText());
            assertEquals(relay.dropped.get(), loss.lost(), r.toText());
            assertEquals(relay.duplicated.get(), loss.duplicates(), r.toText());
            assertEquals(loss.sent(), loss.received() + loss.lost());
            assertEquals(0.1, loss.lossFraction(), 0.002, r.toText());
        }
    }
}
