package io.portgate.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A UDP target on 127.0.0.1 that answers every datagram with its tag byte followed by the datagram, so a client can
 * tell which target answered and check the rest byte for byte. A datagram too large to grow by a byte is echoed
 * untagged. It remembers the sources it saw and how many datagrams and bytes it received.
 */
public final class UdpEchoServer implements AutoCloseable
{
    /** The largest datagram IPv4 carries; one this large is echoed without a tag. */
    public static final int MAX_DATAGRAM = 65_507;

    private final DatagramChannel channel;
    private final byte tag;
    private final Thread thread;
    private final AtomicInteger received = new AtomicInteger();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicInteger largest = new AtomicInteger();
    private final Set<SocketAddress> sources = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private UdpEchoServer(final byte tag) throws IOException
    {
        this.tag = tag;
        this.channel = DatagramChannel.open(StandardProtocolFamily.INET)
            .bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
        this.thread = Thread.ofPlatform().daemon().name("udp-echo-" + tag).start(this::serve);
    }

    /**
     * Starts a server.
     *
     * @param tag the byte it puts before every reply.
     * @return the running server.
     */
    public static UdpEchoServer start(final int tag)
    {
        try
        {
            return new UdpEchoServer((byte)tag);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /** @return the port it listens on. */
    public int port()
    {
        try
        {
            return ((InetSocketAddress)channel.getLocalAddress()).getPort();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /** @return its tag. */
    public byte tag()
    {
        return tag;
    }

    /** @return datagrams received. */
    public int received()
    {
        return received.get();
    }

    /** @return bytes received. */
    public long bytes()
    {
        return bytes.get();
    }

    /** @return the largest datagram received. */
    public int largest()
    {
        return largest.get();
    }

    /** @return the distinct source addresses and ports it saw. */
    public Set<SocketAddress> sources()
    {
        return Set.copyOf(sources);
    }

    private void serve()
    {
        final ByteBuffer buffer = ByteBuffer.allocateDirect(MAX_DATAGRAM + 1);
        while (!closed)
        {
            try
            {
                buffer.clear().position(1);
                final SocketAddress from = channel.receive(buffer);
                final int length = buffer.position() - 1;
                received.incrementAndGet();
                bytes.addAndGet(length);
                largest.accumulateAndGet(length, Math::max);
                sources.add(from);
                buffer.flip();
                if (length < MAX_DATAGRAM)
                {
                    buffer.put(0, tag);
                }
                else
                {
                    buffer.position(1);
                }
                channel.send(buffer, from);
            }
            catch (final ClosedChannelException ex)
            {
                return;
            }
            catch (final IOException ex)
            {
                // A client that went away answers our reply with ICMP; keep serving the others.
            }
        }
    }

    /** Closes its socket, so datagrams sent to it draw ICMP port unreachable. */
    @Override
    public void close()
    {
        closed = true;
        try
        {
            channel.close();
            thread.join(5_000);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
