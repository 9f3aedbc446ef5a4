package io.portgate.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP backend on 127.0.0.1 that runs a {@link Behaviour} per connection on a virtual thread. The default behaviour
 * echoes every byte and, on the client's FIN, sends its own FIN: a half-close travels through and back.
 */
public final class EchoServer implements AutoCloseable
{
    /** What the server does with one accepted connection. */
    @FunctionalInterface
    public interface Behaviour
    {
        /**
         * Serves one connection, blocking; the server closes it afterwards.
         *
         * @param channel the accepted, blocking channel.
         * @throws IOException when the connection fails.
         */
        void serve(SocketChannel channel) throws IOException;
    }

    /** Echoes until the client's FIN, then sends a FIN back. */
    public static final Behaviour ECHO = channel ->
    {
        final ByteBuffer buffer = ByteBuffer.allocateDirect(64 * 1024);
        while (channel.read(buffer) >= 0)
        {
            buffer.flip();
            while (buffer.hasRemaining())
            {
                channel.write(buffer);
            }
            buffer.clear();
        }
        channel.shutdownOutput();
    };

    private final ServerSocketChannel server;
    private final Behaviour behaviour;
    private final Thread acceptor;
    private final Set<SocketChannel> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger accepted = new AtomicInteger();
    private volatile boolean closed;

    private EchoServer(final Behaviour behaviour, final InetSocketAddress address) throws IOException
    {
        this.behaviour = behaviour;
        this.server = ServerSocketChannel.open();
        server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        server.bind(address, 4096);
        this.acceptor = Thread.ofVirtual().name("echo-accept-" + port()).start(this::acceptLoop);
    }

    /**
     * Starts an echo server.
     *
     * @return the running server.
     */
    public static EchoServer start()
    {
        return start(ECHO);
    }

    /**
     * Starts a server with its own behaviour.
     *
     * @param behaviour what it does per connection.
     * @return the running server.
     */
    public static EchoServer start(final Behaviour behaviour)
    {
        return startOn(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), behaviour);
    }

    /**
     * Starts an echo server on a given address, for example a port a previous server held, or another loopback
     * address such as 127.0.0.2.
     *
     * @param address   the address and port; port 0 picks a free one.
     * @param behaviour what it does per connection.
     * @return the running server.
     */
    public static EchoServer startOn(final InetSocketAddress address, final Behaviour behaviour)
    {
        try
        {
            return new EchoServer(behaviour, address);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * The port it listens on.
     *
     * @return the port on 127.0.0.1.
     */
    public int port()
    {
        return address().getPort();
    }

    /**
     * The address it listens on.
     *
     * @return address and port.
     */
    public InetSocketAddress address()
    {
        try
        {
            return (InetSocketAddress)server.getLocalAddress();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Connections accepted so far.
     *
     * @return the count.
     */
    public int accepted()
    {
        return accepted.get();
    }

    /**
     * Connections open now.
     *
     * @return the count.
     */
    public int openConnections()
    {
        return open.size();
    }

    /**
     * Closes the listening socket only, as a process shutting down gracefully does: new connects are refused while
     * open connections finish.
     */
    public void stopListening()
    {
        closeQuietly(server);
    }

    /**
     * Kills every open connection with a reset, as a crashing process would, and stops accepting.
     */
    public void kill()
    {
        closed = true;
        closeQuietly(server);
        for (final SocketChannel channel : open)
        {
            setQuietly(channel, StandardSocketOptions.SO_LINGER, 0);
            closeQuietly(channel);
        }
    }

    @Override
    public void close()
    {
        closed = true;
        closeQuietly(server);
        for (final SocketChannel channel : open)
        {
            closeQuietly(channel);
        }
        try
        {
            acceptor.join(5_000);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private void acceptLoop()
    {
        while (!closed)
        {
            final SocketChannel channel;
            try
            {
                channel = server.accept();
            }
            catch (final IOException ex)
            {
                return;
            }
            accepted.incrementAndGet();
            open.add(channel);
            Thread.ofVirtual().start(() -> serve(channel));
        }
    }

    private void serve(final SocketChannel channel)
    {
        try (channel)
        {
            behaviour.serve(channel);
        }
        catch (final IOException ex)
        {
            // A reset or a kill: the test looks at what the client saw.
        }
        finally
        {
            open.remove(channel);
        }
    }

    private static <T> void setQuietly(final SocketChannel channel, final SocketOption<T> option, final T value)
    {
        try
        {
            channel.setOption(option, value);
        }
        catch (final IOException ex)
        {
            // already closed
        }
    }

    private static void closeQuietly(final java.nio.channels.Channel channel)
    {
        try
        {
            channel.close();
        }
        catch (final IOException ex)
        {
            // closing anyway
        }
    }
}
