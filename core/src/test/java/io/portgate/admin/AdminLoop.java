package io.portgate.admin;

import org.agrona.concurrent.AgentInvoker;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * The admin loop without a thread, stepped by the test with {@link AgentInvoker} on a clock the test moves, and real
 * client sockets on 127.0.0.1 that the test reads without blocking between steps. Real time bounds each wait only as
 * a hang detector.
 */
final class AdminLoop implements AutoCloseable
{
    private static final long HANG_NS = TimeUnit.SECONDS.toNanos(10);

    private final ServerSocketChannel server;
    private final AdminAgent agent;
    private final AgentInvoker invoker;
    final AdminCounters counters = new AdminCounters();
    private final List<SocketChannel> clients = new ArrayList<>();
    private long nowNs = 1_000_000_000L;

    AdminLoop(final AdminServer.Operations operations, final AdminLimits limits) throws IOException
    {
        this(operations, limits, Runnable::run);
    }

    AdminLoop(final AdminServer.Operations operations, final AdminLimits limits, final Executor changes)
        throws IOException
    {
        this(operations, limits, changes, null);
    }

    AdminLoop(final AdminServer.Operations operations, final AdminLimits limits, final Executor changes,
        final String token) throws IOException
    {
        server = AdminServer.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        agent = AdminServer.agent(server, token, operations, limits, () -> nowNs, changes, counters);
        invoker = new AgentInvoker(Throwable::printStackTrace, null, agent);
        invoker.start();
    }

    int port()
    {
        return ((InetSocketAddress)server.socket().getLocalSocketAddress()).getPort();
    }

    /** Moves the loop's clock on and runs a duty cycle. */
    void advance(final Duration by)
    {
        nowNs += by.toNanos();
        step();
    }

    /** Runs a few duty cycles at the current time. */
    void step()
    {
        for (int i = 0; i < 3; i++)
        {
            invoker.invoke();
        }
    }

    /** @return connections the loop holds now. */
    int open()
    {
        return agent.openConnections();
    }

    /** Connects a client and lets the loop accept it. */
    SocketChannel connect() throws IOException
    {
        final SocketChannel client = SocketChannel.open();
        client.setOption(StandardSocketOptions.TCP_NODELAY, true);
        client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port()));
        client.configureBlocking(false);
        clients.add(client);
        step();
        return client;
    }

    /** Connects a client with a small receive buffer, for a client that does not read. */
    SocketChannel connectWithReceiveBuffer(final int bytes) throws IOException
    {
        final SocketChannel client = SocketChannel.open();
        client.setOption(StandardSocketOptions.SO_RCVBUF, bytes);
        client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port()));
        client.configureBlocking(false);
        clients.add(client);
        step();
        return client;
    }

    static void send(final SocketChannel client, final String text) throws IOException
    {
        send(client, text.getBytes(StandardCharsets.ISO_8859_1));
    }

    static void send(final SocketChannel client, final byte[] bytes) throws IOException
    {
        final ByteBuffer buffer = ByteBuffer.wrap(bytes);
        final long deadline = System.nanoTime() + HANG_NS;
        while (buffer.hasRemaining())
        {
            if (client.write(buffer) == 0 && System.nanoTime() - deadline > 0)
            {
                throw new AssertionError("could not send " + bytes.length + " bytes within 10 s");
            }
        }
    }

    /** A response as the client read it. */
    record Response(int status, Map<String, String> headers, String body)
    {
        String header(final String name)
        {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /**
     * Steps the loop until the client has read one whole response.
     *
     * @param client the client.
     * @param head   whether it answers a HEAD request (no body whatever Content-Length says).
     * @return the response.
     */
    Response response(final SocketChannel client, final boolean head) throws IOException
    {
        final ByteArrayOutputStream bytes = received.computeIfAbsent(client, c -> new ByteArrayOutputStream());
        final ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        final long deadline = System.nanoTime() + HANG_NS;
        while (System.nanoTime() - deadline < 0)
        {
            final Response parsed = parse(bytes, head);
            if (parsed != null)
            {
                return parsed;
            }
            step();
            buffer.clear();
            final int n = client.read(buffer);
            if (n > 0)
            {
                bytes.write(buffer.array(), 0, n);
            }
            else if (n < 0 && parse(bytes, head) == null)
            {
                throw new AssertionError("the connection closed before a whole response: " +
                    bytes.toString(StandardCharsets.ISO_8859_1));
            }
        }
        throw new AssertionError("no whole response within 10 s: " + bytes.toString(StandardCharsets.ISO_8859_1));
    }

    Response response(final SocketChannel client) throws IOException
    {
        return response(client, false);
    }

    private final Map<SocketChannel, ByteArrayOutputStream> received = new LinkedHashMap<>();

    // One response off the front of what the client read, or null when it is not all there.
    private static Response parse(final ByteArrayOutputStream received, final boolean head)
    {
        final byte[] read = received.toByteArray();
        final String text = new String(read, StandardCharsets.ISO_8859_1);
        final int end = text.indexOf("\r\n\r\n");
        if (end < 0)
        {
            return null;
        }
        final String[] lines = text.substring(0, end).split("\r\n");
        final int status = Integer.parseInt(lines[0].split(" ")[1]);
        final Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++)
        {
            final int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).strip());
        }
        final int length = head ? 0 : Integer.parseInt(headers.getOrDefault("content-length", "0"));
        if (read.length < end + 4 + length)
        {
            return null;
        }
        received.reset();
        received.write(read, end + 4 + length, read.length - end - 4 - length);
        return new Response(status, headers, text.substring(end + 4, end + 4 + length));
    }

    /**
     * Steps the loop until the client sees the connection closed (end of stream or a reset).
     *
     * @param client the client.
     * @return what it read before the close.
     */
    String awaitClosed(final SocketChannel client) throws IOException
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        final long deadline = System.nanoTime() + HANG_NS;
        while (System.nanoTime() - deadline < 0)
        {
            step();
            buffer.clear();
            final int n;
            try
            {
                n = client.read(buffer);
            }
            catch (final IOException reset)
            {
                return bytes.toString(StandardCharsets.ISO_8859_1);
            }
            if (n < 0)
            {
                return bytes.toString(StandardCharsets.ISO_8859_1);
            }
            bytes.write(buffer.array(), 0, n);
        }
        throw new AssertionError("still open after 10 s; read: " + bytes.toString(StandardCharsets.ISO_8859_1));
    }

    /**
     * Steps the loop a few times and checks the client has neither data nor a close to read.
     *
     * @param client the client.
     * @return whether it is open and silent.
     */
    boolean openAndSilent(final SocketChannel client) throws IOException
    {
        step();
        final ByteBuffer buffer = ByteBuffer.allocate(1);
        try
        {
            return client.read(buffer) == 0;
        }
        catch (final IOException reset)
        {
            return false;
        }
    }

    @Override
    public void close() throws IOException
    {
        for (final SocketChannel client : clients)
        {
            client.close();
        }
        invoker.close();
    }
}
