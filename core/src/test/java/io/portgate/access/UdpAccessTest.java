package io.portgate.access;

import io.portgate.Portgate;
import io.portgate.config.CidrConfig;
import io.portgate.config.FastPath;
import io.portgate.config.ListenerConfig;
import io.portgate.config.PoolConfig;
import io.portgate.config.SendProxy;
import io.portgate.metrics.Metric;
import io.portgate.net.Ip;
import io.portgate.proxy.ProxyHeader;
import io.portgate.proxy.ProxyParser;
import io.portgate.testing.TestConfigs;
import io.portgate.testing.UdpClient;
import io.portgate.testing.UdpEchoServer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 13's UDP rows over real sockets on 127.0.0.x: deny drops, the per-source flow and datagram-rate limits, and
 * send-proxy v2 as a header on each datagram, on the plain NIO and the batched path.
 */
@Timeout(60)
class UdpAccessTest
{
    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void close() throws Exception
    {
        for (int i = resources.size() - 1; i >= 0; i--)
        {
            if (resources.get(i) instanceof Portgate portgate)
            {
                portgate.close(Duration.ZERO);
            }
            else
            {
                resources.get(i).close();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = FastPath.class, names = {"OFF", "AUTO"})
    void denyDropsAndServesOthers(final FastPath batching)
    {
        final UdpEchoServer echo = track(UdpEchoServer.start(1));
        final Portgate portgate = start(batching, l -> l.deny(CidrConfig.of("deny", "127.0.0.2")), p -> { }, echo);
        final UdpClient denied = track(UdpClient.open("127.0.0.2", front(portgate)));
        final byte[] payload = "who goes there".getBytes(StandardCharsets.US_ASCII);
        denied.send(payload);
        final UdpClient allowed = track(UdpClient.open("127.0.0.3", front(portgate)));
        assertEquals(1, allowed.exchange("friend".getBytes(StandardCharsets.US_ASCII)));
        assertNull(denied.awaitReplyTo(payload), "a denied client got a reply");
        assertTrue(echo.sources().stream().allMatch(s -> ((InetSocketAddress)s).getAddress().getHostAddress()
            .equals("127.0.0.1")));
        assertEquals(1, echo.received(), "a denied datagram reached the target");
        assertEquals(1, io.portgate.PortgateInternals.metrics(portgate).sum(Metric.ACCESS_REFUSED, "reason", "denied"));
    }

    @ParameterizedTest
    @EnumSource(value = FastPath.class, names = {"OFF", "AUTO"})
    void aSourcePastItsFlowLimitIsDroppedWhileAnotherIsServed(final FastPath batching)
    {
        final UdpEchoServer echo = track(UdpEchoServer.start(1));
        final Portgate portgate = start(batching, l -> l.maxFlowsPerSource(2), p -> { }, echo);
        final UdpClient first = track(UdpClient.open("127.0.0.2", front(portgate)));
        final UdpClient second = track(UdpClient.open("127.0.0.2", front(portgate)));
        final UdpClient third = track(UdpClient.open("127.0.0.2", front(portgate)));
        assertEquals(1, first.exchange("one".getBytes(StandardCharsets.US_ASCII)));
        assertEquals(1, second.exchange("two".getBytes(StandardCharsets.US_ASCII)));
        final byte[] payload = "three".getBytes(StandardCharsets.US_ASCII);
        third.send(payload);
        assertEquals(1, track(UdpClient.open("127.0.0.3", front(portgate))).exchange(new byte[] {3}));
        assertNull(third.awaitReplyTo(payload), "the third flow of one source was served");
        assertEquals(1, first.exchange("one again".getBytes(StandardCharsets.US_ASCII)));
        assertEquals(1, io.portgate.PortgateInternals.metrics(portgate).sum(Metric.ACCESS_REFUSED, "reason", "concurrency_limit"));
        assertEquals(4, echo.received());
    }

    @ParameterizedTest
    @EnumSource(value = FastPath.class, names = {"OFF", "AUTO"})
    void datagramsPastTheRateAreDroppedAndCounted(final FastPath batching) throws Exception
    {
        final UdpEchoServer echo = track(UdpEchoServer.start(1));
        final Portgate portgate = start(batching, l -> l.datagramRatePerSource(5), p -> { }, echo);
        final UdpClient client = track(UdpClient.open("127.0.0.2", front(portgate)));
        final int sent = 200;
        for (int i = 0; i < sent; i++)
        {
            client.send(("datagram " + i).getBytes(StandardCharsets.US_ASCII));
        }
        // Every datagram is either forwarded or refused; wait until all are accounted for.
        long forwarded = 0;
        long refused = 0;
        for (int i = 0; i < 400 && forwarded + refused < sent; i++)
        {
            Thread.sleep(10);
            forwarded = io.portgate.PortgateInternals.metrics(portgate).sum(Metric.DATAGRAMS_RECEIVED);
            refused = io.portgate.PortgateInternals.metrics(portgate).sum(Metric.ACCESS_REFUSED, "reason", "rate_limit");
        }
        assertEquals(sent, forwarded + refused, "forwarded " + forwarded + ", refused " + refused);
        // A burst of five, and five more a second: two hundred cannot all pass in the seconds this takes.
        assertTrue(refused > 0 && forwarded >= 5, "forwarded " + forwarded + ", refused " + refused);
    }

    @ParameterizedTest
    @EnumSource(value = FastPath.class, names = {"OFF", "AUTO"})
    void aTargetBehindSendProxyV2GetsAHeaderOnEveryDatagram(final FastPath batching) throws Exception
    {
        final ProxyTarget target = track(new ProxyTarget());
        final Portgate portgate = start(batching, l -> { }, p -> p.sendProxy(SendProxy.V2), null, target.port());
        final UdpClient client = track(UdpClient.open("127.0.0.2", front(portgate)));
        for (int i = 0; i < 3; i++)
        {
            final byte[] payload = ("datagram " + i).getBytes(StandardCharsets.US_ASCII);
            assertEquals(9, client.exchange(payload));
            final ProxyHeader header = target.headers.poll();
            assertNotNull(header);
            assertEquals(ProxyHeader.TRANSPORT_DGRAM, header.transport());
            assertEquals("127.0.0.2", Ip.toString(header.sourceHigh(), header.sourceLow()));
            assertEquals(client.local().getPort(), header.sourcePort());
            assertEquals(front(portgate).getPort(), header.destinationPort());
            assertArrayEquals(payload, target.payloads.poll());
        }
    }

    // ---------------------------------------------------------------------------------------------------------------

    /** A UDP target that parses a PROXY v2 header on each datagram and answers tag 9 and the payload after it. */
    private static final class ProxyTarget implements AutoCloseable
    {
        final Queue<ProxyHeader> headers = new ConcurrentLinkedQueue<>();
        final Queue<byte[]> payloads = new ConcurrentLinkedQueue<>();
        private final DatagramChannel channel;

        ProxyTarget() throws IOException
        {
            channel = DatagramChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            Thread.ofVirtual().start(this::serve);
        }

        int port() throws IOException
        {
            return ((InetSocketAddress)channel.getLocalAddress()).getPort();
        }

        private void serve()
        {
            final ByteBuffer buffer = ByteBuffer.allocateDirect(70_000);
            final ProxyParser parser = new ProxyParser(ProxyParser.MODE_V2);
            try
            {
                while (true)
                {
                    buffer.clear();
                    final var from = channel.receive(buffer);
                    final int length = buffer.position();
                    final ProxyHeader header = new ProxyHeader();
                    final int result = parser.parseWhole(new UnsafeBuffer(buffer), 0, length, header);
                    if (result <= 0)
                    {
                        continue;
                    }
                    headers.add(header);
                    final byte[] payload = new byte[length - result];
                    buffer.get(result, payload);
                    payloads.add(payload);
                    final ByteBuffer reply = ByteBuffer.allocate(payload.length + 1);
                    reply.put((byte)9).put(payload).flip();
                    channel.send(reply, from);
                }
            }
            catch (final ClosedChannelException ex)
            {
                // Closed by the test.
            }
            catch (final IOException ex)
            {
                throw new java.io.UncheckedIOException(ex);
            }
        }

        @Override
        public void close() throws IOException
        {
            channel.close();
        }
    }

    private Portgate start(final FastPath batching, final Consumer<ListenerConfig.Builder> listener,
        final Consumer<PoolConfig.Builder> pool, final UdpEchoServer echo, final int... ports)
    {
        final int[] targets = echo != null ? new int[] {echo.port()} : ports;
        return track(Portgate.start(TestConfigs.udp(batching, FastPath.OFF, 1, listener, pool, targets)));
    }

    private static InetSocketAddress front(final Portgate portgate)
    {
        return portgate.boundAddresses(TestConfigs.LISTENER).getFirst();
    }

    private <T extends AutoCloseable> T track(final T resource)
    {
        resources.add(resource);
        return resource;
    }
}
