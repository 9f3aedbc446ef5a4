package io.portgate.bench.harness;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * Writes every byte back on the connection it came from.
 *
 * <p>When the client does not read fast enough to take a whole echo, the rest is kept for that connection and the
 * server stops reading from it until the rest is written: backpressure through interest ops, so a slow client
 * cannot make the server buffer without bound.
 */
public final class TcpEchoServer extends TcpServerBase
{
    /**
     * Starts an echo server.
     *
     * @param bind where to listen; port 0 picks a free port.
     * @throws IOException when it cannot listen.
     */
    public TcpEchoServer(final InetSocketAddress bind) throws IOException
    {
        super(Kind.TCP_ECHO, bind);
    }

    @Override
    protected void onReadable(final SelectionKey key, final SocketChannel channel) throws IOException
    {
        if (read(key, channel) <= 0)
        {
            return;
        }
        channel.write(readBuffer);
        if (readBuffer.hasRemaining())
        {
            key.attach(pending((ByteBuffer)key.attachment(), readBuffer));
            key.interestOps(SelectionKey.OP_WRITE);
        }
    }

    @Override
    protected void onWritable(final SelectionKey key, final SocketChannel channel) throws IOException
    {
        final ByteBuffer pending = (ByteBuffer)key.attachment();
        channel.write(pending);
        if (!pending.hasRemaining())
        {
            key.interestOps(SelectionKey.OP_READ);
        }
    }

    /** Copies the unwritten rest into the connection's own buffer, reusing it when it is large enough. */
    private static ByteBuffer pending(final ByteBuffer existing, final ByteBuffer rest)
    {
        final ByteBuffer buffer = existing != null && existing.capacity() >= rest.remaining() ?
            existing.clear() : ByteBuffer.allocateDirect(READ_BUFFER_SIZE);
        buffer.put(rest).flip();
        return buffer;
    }
}
