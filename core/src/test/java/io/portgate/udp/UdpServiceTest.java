package io.portgate.udp;

import io.portgate.Portgate;
import io.portgate.PortgateContext;
import io.portgate.config.FastPath;
import io.portgate.config.PortgateConfig;
import io.portgate.ffm.UdpBatching;
import io.portgate.testing.OpenFds;
import io.portgate.testing.TestConfigs;
import io.portgate.testing.UdpClient;
import io.portgate.testing.UdpEchoServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Starting UDP listeners: fast-path switches honoured or refused, bind failures named, nothing left open. */
class UdpServiceTest
{
    @Test
    @Timeout(30)
    void gsoOnWithoutBatchingFailsTheStartSayingWhy()
    {
        try (UdpEchoServer echo = UdpEchoServer.start('A'))
        {
            final long fdsBefore = OpenFds.count();
            final IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> Portgate.start(TestConfigs.udp(FastPath.OFF, FastPath.ON, 1, l -> { }, p -> { }, echo.port())));
            assertTrue(refused.getMessage().contains("udp-gso: on needs fast-paths.udp-batching"),
                refused.getMessage());
            assertEquals(fdsBefore, OpenFds.awaitAtMost(fdsBefore, 2_000));
        }
    }

    @Test
    @Timeout(30)
    void batchingOnStartsWhereItWorks()
    {
        assumeTrue(UdpBatching.probe().isAvailable(), () -> String.valueOf(UdpBatching.probe().unavailabilityCause()));
        try (UdpEchoServer echo = UdpEchoServer.start('A'))
        {
            final PortgateContext context = new PortgateContext(
                TestConfigs.udp(FastPath.ON, FastPath.AUTO, 2, l -> { }, p -> { }, echo.port()));
            final Portgate portgate = Portgate.start(context);
            try (UdpClient client = UdpClient.open("127.0.0.1", portgate.boundAddresses(TestConfigs.LISTENER)
                .getFirst()))
            {
                assertTrue(context.udpBatching(), "udp-batching: on is honoured");
                assertEquals('A', client.exchange("batched".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
                assertEquals(1, portgate.stats().udpListener(TestConfigs.LISTENER).datagramsIn());
            }
            finally
            {
                portgate.close(Duration.ZERO);
            }
        }
    }

    /** A reload may not add what a start would refuse: a wildcard UDP listener where replies cannot name their source. */
    @Test
    @Timeout(30)
    void aReloadAddingAWildcardUdpListenerWithoutBatchingIsRejectedSayingWhy()
    {
        try (UdpEchoServer echo = UdpEchoServer.start('A'))
        {
            final PortgateConfig running = TestConfigs.udp(FastPath.OFF, FastPath.OFF, 1, l -> { }, p -> { },
                echo.port());
            final Portgate portgate = Portgate.start(running);
            try
            {
                final int port = io.portgate.testing.FreePorts.udpOnEveryAddress();
                final PortgateConfig wildcard = PortgateConfig.builder()
                    .workers(1)
                    .udpBatching(FastPath.OFF)
                    .udpGso(FastPath.OFF)
                    .listener(running.listeners().getFirst())
                    .listener(io.portgate.config.ListenerConfig.builder("everywhere")
                        .protocol(io.portgate.config.Protocol.UDP).bind("0.0.0.0:" + port).pool(TestConfigs.POOL)
                        .build())
                    .pool(running.pools().get(TestConfigs.POOL))
                    .build();
                // Refused by validation, as `portgate check` refuses it; nothing changes.
                final io.portgate.config.ConfigException refused = assertThrows(
                    io.portgate.config.ConfigException.class, () -> portgate.reload(wildcard));
                assertTrue(refused.getMessage().contains("error: listener 'everywhere' binds UDP to the wildcard "),
                    refused.getMessage());
                assertTrue(refused.getMessage().contains("fast-paths.udp-batching is off"), refused.getMessage());
                assertEquals(running, portgate.config());
                assertThrows(IllegalArgumentException.class, () -> portgate.boundAddresses("everywhere"));
            }
            finally
            {
                portgate.close(Duration.ZERO);
            }
        }
    }

    @Test
    @Timeout(30)
    void aTakenPortFailsTheStartNamingTheListenerAndLeavesNothingOpen() throws Exception
    {
        try (UdpEchoServer echo = UdpEchoServer.start('A');
            DatagramSocket squatter = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0)))
        {
            final long fdsBefore = OpenFds.count();
            final PortgateConfig config = TestConfigs.udp(FastPath.AUTO, FastPath.AUTO, 2,
                l -> l.bind("127.0.0.1:" + squatter.getLocalPort()), p -> { }, echo.port());
            final UncheckedIOException failed = assertThrows(UncheckedIOException.class, () -> Portgate.start(config));
            assertTrue(failed.getMessage().contains("listener '" + TestConfigs.LISTENER + "' cannot bind UDP 127.0.0.1:" +
                squatter.getLocalPort()), failed.getMessage());
            assertEquals(fdsBefore, OpenFds.awaitAtMost(fdsBefore, 2_000));
        }
    }
}
