package io.portgate.access;

import io.portgate.Portgate;
import io.portgate.config.AcceptProxy;
import io.portgate.config.CidrConfig;
import io.portgate.config.FastPath;
import io.portgate.config.IdleStrategyName;
import io.portgate.config.ListenerConfig;
import io.portgate.config.PoolConfig;
import io.portgate.config.PortgateConfig;
import io.portgate.config.SendProxy;
import io.portgate.metrics.Metric;
import io.portgate.net.Ip;
import io.portgate.proxy.ProxyHeader;
import io.portgate.proxy.ProxyParser;
import io.portgate.proxy.ProxyWriter;
import io.portgate.testing.EchoServer;
import io.portgate.testing.Exchange;
import io.portgate.testing.FreePorts;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 13's TCP rows end to end, over real sockets on 127.0.0.x: allow and deny, per-source limits, send-proxy and
 * accept-proxy. Clients bind 127.0.0.2 or 127.0.0.3 so the balancer sees different sources; every byte is checked,
 * and a refused connection is shown never to reach a target.
 */
@Timeout(60)
class TcpAccessTest
{
    private static final String LISTENER = "front";
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

    @Test
    void denyClosesAtAcceptBeforeAnyTargetAndServesOthers() throws Exception
    {
        final EchoServer echo = track(EchoServer.start());
        final Portgate portgate = start(l -> l.deny(CidrConfig.of("deny", "127.0.0.2/32", "10.0.0.0/8")),
            p -> { }, echo);
        assertRefused(connectFrom("127.0.0.2", front(portgate)));
        assertEquals(0, echo.accepted(), "a denied client reached the target");
        assertServed("127.0.0.3", front(portgate));
        assertEquals(1, echo.accepted());
        assertEquals(1, io.portgate.PortgateInternals.metrics(portgate).sum(Metric.ACCESS_REFUSED, "listener", LISTENER, "reason", "denied"));
    }

    @Test
    void allowRefusesEveryoneElse() throws Exception
    {
        final EchoServer echo = track(EchoServer.start());
        final Portgate portgate = start(l -> l.allow(CidrConfig.of("allow", "127.0.0.3")), p -> { }, echo);
        assertRefused(connectFrom("127.0.0.2", front(portgate)));
        assertEquals(0, echo.accepted());
        assertServed("127.0.0.3", front(portgate));
        assertEquals(1, io.portgate.PortgateInternals.metrics(portgate).sum(Metric.ACCESS_REFUSED, "listener", LISTENER, "reason", "not_allowed"));
    }

    @Test
    void theSixthConcurrentConnectionOfOneSourceIsRefusedUnderALimitOfFive() throws Exception
    {
        final EchoServer echo = track(EchoServer.start());
        final Portgate portgate = start(l -> l.maxConnectionsPerSource(5), p -> { }, echo);
        final List<SocketChannel> open = new ArrayList<>();
        for (int i = 0; i < 5; i++)
        {
            final SocketChannel channel = track(connectFrom("127.0.0.2", front(portgate)));
            echoOnce(channel, ("open " + i).getBytes(StandardCharsets.US_ASCII));
            open.add(channel);
        }
        assertRefused(connectFrom("127.0.0.2", front(portgate)));
        assertEquals(5, echo.accepted(), "the sixth connection reached a target");
        assertServed("127.0.0.3", front(portgate));
        for (final SocketChannel channel : open)
        {
            echoOnce(channel, "still open".getBytes(StandardCharsets.US_ASCII));
        }
        assertEquals(1, io.portgate.PortgateInternals.metrics(portgate).sum(Metric.ACCESS_REFUSED, "listener", LISTENER, "reason",
            "concurrency_limit"));
        open.getFirst().close();
        // Once one closes, the source may open another.
        awaitServed("127.0.0.2", front(portgate));
    }

    @Test
    void aTargetBehindSendProxyV2SeesTheClientsAddress() throws Exception
    {
        final Queue<ProxyHeader> seen = new ConcurrentLinkedQueue<>();
        final EchoServer target = track(EchoServer.start(proxiedEcho(seen)));
        final Portgate portgate = start(l -> { }, p -> p.sendProxy(SendProxy.V2), target);
        final byte[] payload = Exchange.random(100_000);
        try (SocketChannel client = connectFrom("127.0.0.2", front(portgate)))
        {
            assertArrayEquals(payload, Exchange.roundTrip(client, payload));
            final ProxyHeader header = seen.poll();
            assertEquals(ProxyHeader.VERSION_2, header.version());
            assertEquals("127.0.0.2", Ip.toString(header.sourceHigh(), header.sourceLow()));
            assertEquals(((InetSocketAddress)client.getLocalAddress()).getPort(), header.sourcePort());
            assertEquals(front(portgate).getPort(), header.destinationPort());
            assertEquals("127.0.0.1", Ip.toString(header.destinationHigh(), header.destinationLow()));
        }
    }

    @Test
    void acceptProxyFromATrustedSenderPassesTheClaimedAddressOnToTheTargetAndTheRules() throws Exception
    {
        final Queue<ProxyHeader> seen = new ConcurrentLinkedQueue<>();
        final EchoServer target = track(EchoServer.start(proxiedEcho(seen)));
        final Portgate portgate = start(l -> l.acceptProxy(AcceptProxy.ANY)
                .trustedProxies(CidrConfig.of("trusted-proxies", "127.0.0.2/32"))
                .deny(CidrConfig.of("deny", "192.0.2.66")),
            p -> p.sendProxy(SendProxy.V1), target);
        final byte[] payload = "through two proxies".getBytes(StandardCharsets.US_ASCII);
        try (SocketChannel client = connectFrom("127.0.0.2", front(portgate)))
        {
            // Header and first bytes in one write: the bytes behind the header must reach the target too.
            Exchange.writeFully(client, concat(v2Header("192.0.2.77", 4321), payload));
            assertArrayEquals(payload, Exchange.readExactly(client, payload.length));
            final ProxyHeader header = seen.poll();
            assertEquals(ProxyHeader.VERSION_1, header.version());
            assertEquals("192.0.2.77", Ip.toString(header.sourceHigh(), header.sourceLow()));
            assertEquals(4321, header.sourcePort());
        }
        // The claimed address is the one the rules see: 192.0.2.66 is denied though its proxy is not.
        try (SocketChannel client = connectFrom("127.0.0.2", front(portgate)))
        {
            Exchange.writeFully(client, concat(v2Header("192.0.2.66", 4321), payload));
            assertRefused(client);
        }
        assertEquals(1, target.accepted());
        assertEquals(1, io.portgate.PortgateInternals.metrics(portgate).sum(Metric.ACCESS_REFUSED, "listener", LISTENER, "reason", "denied"));
    }

    @Test
    void theClaimedAddressIsWhatSourceHashBalancesBy() throws Exception
    {
        final EchoServer a = track(EchoServer.start());
        final EchoServer b = track(EchoServer.start());
        final Portgate portgate = start(l -> l.acceptProxy(AcceptProxy.V2)
                .trustedProxies(CidrConfig.of("trusted-proxies", "127.0.0.2")),
            p -> p.balance("source-hash"), a, b);
        for (int i = 0; i < 20; i++)
        {
            try (SocketChannel client = connectFrom("127.0.0.2", front(portgate)))
            {
                final byte[] payload = ("claimed " + i).getBytes(StandardCharsets.US_ASCII);
                Exchange.writeFully(client, concat(v2Header("198.51.100." + (i + 1), 1000 + i), payload));
                assertArrayEquals(payload, Exchange.readExactly(client, payload.length));
            }
        }
        // One real source: hashing it would send all twenty to one target.
        assertTrue(a.accepted() > 0 && b.accepted() > 0, "targets got " + a.accepted() + " and " + b.accepted());
        // The same claimed address again goes where it went before, twenty times.
        final int before = a.accepted();
        for (int i = 0; i < 20; i++)
        {
            try (SocketChannel client = connectFrom("127.0.0.2", front(portgate)))
            {
                Exchange.writeFully(client, concat(v2Header("203.0.113.9", 5000), new byte[] {7}));
                assertArrayEquals(new byte[] {7}, Exchange.readExactly(client, 1));
            }
        }
        assertTrue(a.accepted() == before || a.accepted() == before + 20, "one claimed address split over targets");
    }

    @Test
    void anUntrustedSenderOrAHeaderlessConnectionIsRefusedAndNothingReachesATarget() throws Exception
    {
        final EchoServer echo = track(EchoServer.start());
        final Portgate portgate = start(l -> l.acceptProxy(AcceptProxy.ANY)
                .trustedProxies(CidrConfig.of("trusted-proxies", "127.0.0.3")).connectTimeout(Duration.ofMillis(300)),
            p -> { }, echo);
        try (SocketChannel client = connectFrom("127.0.0.2", front(portgate)))
        {
            Exchange.writeFully(client, concat(v2Header("192.0.2.1", 1), "hi".getBytes(StandardCharsets.US_ASCII)));
            assertRefused(client);
        }
        try (SocketChannel client = connectFrom("127.0.0.3", front(portgate)))
        {
            Exchange.writeFully(client, "GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertRefused(client);
        }
        try (SocketChannel client = connectFrom("127.0.0.3", front(portgate)))
        {
            // Half a header and then nothing: the header timeout closes it.
            Exchange.writeFully(client, Arrays.copyOf(v2Header("192.0.2.1", 1), 10));
            assertRefused(client);
        }
        assertEquals(0, echo.accepted(), "a refused connection reached the target");
        assertEquals(1, io.portgate.PortgateInternals.metrics(portgate).sum(Metric.ACCESS_REFUSED, "listener", LISTENER, "reason",
            "proxy_untrusted"));
        assertEquals(1, io.portgate.PortgateInternals.metrics(portgate).sum(Metric.ACCESS_REFUSED, "listener", LISTENER, "reason",
            "proxy_missing"));
        assertEquals(1, io.portgate.PortgateInternals.metrics(portgate).sum(Metric.ACCESS_REFUSED, "listener", LISTENER, "reason",
            "proxy_timeout"));
        // A trusted sender with a header is served.
        try (SocketChannel client = connectFrom("127.0.0.3", front(portgate)))
        {
            Exchange.writeFully(client, concat(v2Header("192.0.2.1", 1), "ok".getBytes(StandardCharsets.US_ASCII)));
            assertArrayEquals("ok".getBytes(StandardCharsets.US_ASCII), Exchange.readExactly(client, 2));
        }
    }

    // ---------------------------------------------------------------------------------------------------------------

    private Portgate start(final Consumer<ListenerConfig.Builder> listener, final Consumer<PoolConfig.Builder> pool,
        final EchoServer... targets)
    {
        final PoolConfig.Builder p = PoolConfig.builder("back");
        for (final EchoServer target : targets)
        {
            p.target(InetAddress.getLoopbackAddress(), target.port());
        }
        pool.accept(p);
        final ListenerConfig.Builder l = ListenerConfig.builder(LISTENER).bind("127.0.0.1:" + FreePorts.tcp())
            .pool("back");
        listener.accept(l);
        final PortgateConfig config = PortgateConfig.builder().workers(1).splice(FastPath.OFF)
            .idleStrategy(IdleStrategyName.BACKOFF).listener(l.build()).pool(p.build()).build();
        return track(Portgate.start(config));
    }

    private static InetSocketAddress front(final Portgate portgate)
    {
        return portgate.boundAddresses(LISTENER).getFirst();
    }

    private <T extends AutoCloseable> T track(final T resource)
    {
        resources.add(resource);
        return resource;
    }

    static SocketChannel connectFrom(final String source, final InetSocketAddress to) throws IOException
    {
        final SocketChannel channel = SocketChannel.open();
        channel.bind(new InetSocketAddress(InetAddress.getByName(source), 0));
        channel.connect(to);
        return channel;
    }

    /** The balancer closes the connection: end of stream or a reset, and no byte before it. */
    static void assertRefused(final SocketChannel channel) throws IOException
    {
        channel.socket().setSoTimeout(10_000);
        try (channel; InputStream in = channel.socket().getInputStream())
        {
            assertEquals(-1, in.read(), "a refused connection got a byte");
        }
        catch (final SocketException reset)
        {
            // A reset is a refusal too.
        }
    }

    private static void assertServed(final String source, final InetSocketAddress front) throws IOException
    {
        final byte[] payload = Exchange.random(10_000);
        try (SocketChannel channel = connectFrom(source, front))
        {
            assertArrayEquals(payload, Exchange.roundTrip(channel, payload));
        }
    }

    private static void awaitServed(final String source, final InetSocketAddress front) throws Exception
    {
        // The close travels to the balancer asynchronously; until it arrives, the limit still counts it.
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                assertServed(source, front);
                return;
            }
            catch (final IOException | AssertionError ex)
            {
                if (attempt == 200)
                {
                    throw ex;
                }
                Thread.sleep(25);
            }
        }
    }

    private static void echoOnce(final SocketChannel channel, final byte[] payload) throws IOException
    {
        Exchange.writeFully(channel, payload);
        assertArrayEquals(payload, Exchange.readExactly(channel, payload.length));
    }

    static byte[] v2Header(final String source, final int port) throws IOException
    {
        final InetAddress address = InetAddress.getByName(source);
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
        final int length = ProxyWriter.writeV2(buffer, 0, ProxyHeader.TRANSPORT_STREAM, Ip.high(address),
            Ip.low(address), port, 0, Ip.mappedLow(0x7F000001), 80);
        return Arrays.copyOf(buffer.byteArray(), length);
    }

    static byte[] concat(final byte[] a, final byte[] b)
    {
        final byte[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    /** A target that reads a PROXY header (either version), remembers it, and echoes everything after it. */
    static EchoServer.Behaviour proxiedEcho(final Queue<ProxyHeader> seen)
    {
        return channel ->
        {
            final ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
            final ProxyParser parser = new ProxyParser(ProxyParser.MODE_ANY);
            final ProxyHeader header = new ProxyHeader();
            int result;
            do
            {
                if (channel.read(buffer) < 0)
                {
                    return;
                }
                result = parser.parse(buffer, 0, buffer.position(), header);
            }
            while (result == ProxyParser.NEED_MORE);
            if (result < 0)
            {
                throw new IOException("no PROXY header: " + result);
            }
            seen.add(header);
            buffer.flip().position(result);
            while (true)
            {
                while (buffer.hasRemaining())
                {
                    channel.write(buffer);
                }
                buffer.clear();
                if (channel.read(buffer) < 0)
                {
                    break;
                }
                buffer.flip();
            }
            channel.shutdownOutput();
        };
    }
}
