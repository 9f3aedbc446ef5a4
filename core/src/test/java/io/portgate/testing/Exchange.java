package io.portgate.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;

/** Client-side helpers: send bytes and read what comes back, both at once. */
public final class Exchange
{
    private Exchange()
    {
    }

    /**
     * Random bytes.
     *
     * @param size how many.
     * @return a new array.
     */
    public static byte[] random(final int size)
    {
        final byte[] bytes = new byte[size];
        ThreadLocalRandom.current().nextBytes(bytes);
        return bytes;
    }

    /**
     * Connects, sends the payload and then a FIN while reading everything that comes back until the peer's FIN.
     *
     * @param address where to connect.
     * @param payload what to send.
     * @return every byte received.
     * @throws IOException when the connection fails.
     */
    public static byte[] roundTrip(final InetSocketAddress address, final byte[] payload) throws IOException
    {
        try (SocketChannel channel = SocketChannel.open(address))
        {
            return roundTrip(channel, payload);
        }
    }

    /**
     * Sends the payload and then a FIN on a connected blocking channel while reading until the peer's FIN.
     *
     * @param channel the connected channel.
     * @param payload what to send.
     * @return every byte received.
     * @throws IOException when the connection fails.
     */
    public static byte[] roundTrip(final SocketChannel channel, final byte[] payload) throws IOException
    {
        final CompletableFuture<Void> sent = CompletableFuture.runAsync(() ->
        {
            try
            {
                writeFully(channel, payload);
                channel.shutdownOutput();
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
        }, r -> Thread.ofVirtual().start(r));
        final byte[] received = readToEnd(channel, payload.length);
        try
        {
            sent.join();
        }
        catch (final java.util.concurrent.CompletionException ex)
        {
            // A reset can reach the writing side first: it fails the exchange the same way as on the reading side.
            if (ex.getCause() instanceof UncheckedIOException failed)
            {
                throw failed.getCause();
            }
            throw ex;
        }
        return received;
    }

    /**
     * Writes every byte.
     *
     * @param channel a blocking channel.
     * @param bytes   what to write.
     * @throws IOException when the connection fails.
     */
    public static void writeFully(final SocketChannel channel, final byte[] bytes) throws IOException
    {
        final ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining())
        {
            channel.write(buffer);
        }
    }

    /**
     * Reads exactly {@code count} bytes.
     *
     * @param channel a blocking channel.
     * @param count   how many.
     * @return the bytes.
     * @throws IOException when the connection fails or ends first.
     */
    public static byte[] readExactly(final SocketChannel channel, final int count) throws IOException
    {
        final ByteBuffer buffer = ByteBuffer.allocate(count);
        while (buffer.hasRemaining())
        {
            if (channel.read(buffer) < 0)
            {
                throw new IOException("stream ended after " + buffer.position() + " of " + count + " bytes");
            }
        }
        return buffer.array();
    }

    /**
     * Reads until the peer's FIN.
     *
     * @param channel  a blocking channel.
     * @param expected a size hint.
     * @return every byte read.
     * @throws IOException when the connection fails.
     */
    public static byte[] readToEnd(final SocketChannel channel, final int expected) throws IOException
    {
        ByteBuffer buffer = ByteBuffer.allocate(Math.max(16, expected + 1));
        while (true)
        {
            if (!buffer.hasRemaining())
            {
                final ByteBuffer bigger = ByteBuffer.allocate(buffer.capacity() * 2);
                buffer.flip();
                bigger.put(buffer);
                buffer = bigger;
            }
            if (channel.read(buffer) < 0)
            {
                break;
            }
        }
        final byte[] out = new byte[buffer.position()];
        buffer.flip().get(out);
        return out;
    }
}
