package io.portgate.bench.jmh;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An in-process UDP backend that only counts what arrives, on a thread of its own blocked in receive: the far end
 * of the loss benchmark. The count is read from the benchmark thread.
 */
final class UdpSinkThread implements AutoCloseable
{
    private static final int MAX_DATAGRAM = 65_536;

    private final DatagramChannel channel;
    private final Thread thread;
    private final AtomicLong received = new AtomicLong();

    UdpSinkThread()
    {
        try
        {
            channel = DatagramChannel.open();
            channel.bind(Paths.anyLoopbackPort());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot bind the UDP sink", ex);
        }
        thread = Thread.ofPlatform().daemon().name("jmh-udp-sink").start(this::receiveLoop);
    }

    InetSocketAddress address()
    {
        try
        {
            return (InetSocketAddress)channel.getLocalAddress();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    long received()
    {
        return received.get();
    }

    private void receiveLoop()
    {
        final ByteBuffer buffer = ByteBuffer.allocateDirect(MAX_DATAGRAM);
        try
        {
            while (true)
            {
                buffer.clear();
                channel.receive(buffer);
                // One writer: an ordered store is enough for the reader, and cheaper than an atomic add.
                received.lazySet(received.get() + 1);
            }
        }
        catch (final AsynchronousCloseException ex)
        {
            // close(): the normal way out.
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("UDP sink failed", ex);
        }
    }

    @Override
    public void close()
    {
        try
        {
            channel.close();
            thread.join(2_000);
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
