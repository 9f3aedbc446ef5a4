package io.portgate.bench.harness;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * bulk: one TCP stream pushing the same preallocated buffer for the whole run, with blocking writes.
 *
 * <p>A blocking write returns when the kernel has taken the bytes, so the bytes counted are those the target's
 * path accepted; over a run of seconds the socket buffers' worth still in flight at the end is noise. A target that
 * stops reading would block a write forever, so the runner closes the socket after the end plus the timeout.
 */
final class BulkWorker extends LoadWorker
{
    private final InetSocketAddress target;
    private final ByteBuffer tx;
    private SocketChannel channel;

    BulkWorker(final BenchContext context, final ErrorLog errors, final InetSocketAddress target)
    {
        super(context, errors, false, false);
        this.target = target;
        this.tx = ByteBuffer.allocateDirect(context.size());
        Payload.fillPattern(tx);
    }

    @Override
    void open() throws IOException
    {
        channel = SocketChannel.open();
        try
        {
            channel.socket().connect(target, (int)Math.max(1, context.timeout().toMillis()));
        }
        catch (final IOException ex)
        {
            throw new IOException("cannot connect to " + Formats.address(target) + ": " +
                ErrorLog.describe(ex), ex);
        }
    }

    @Override
    void measure() throws IOException
    {
        while (true)
        {
            final long nowNs = System.nanoTime();
            if (shouldStop(nowNs))
            {
                return;
            }
            tx.clear();
            final int written = channel.write(tx);
            final long doneNs = System.nanoTime();
            countBytes(doneNs, written);
            complete(doneNs, 0, 0);
        }
    }

    @Override
    void closeAll()
    {
        try
        {
            if (channel != null)
            {
                channel.close();
            }
        }
        catch (final IOException ignored)
        {
            // The run is over; nothing more to learn from this socket.
        }
    }
}
