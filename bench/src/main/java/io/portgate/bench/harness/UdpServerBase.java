package io.portgate.bench.harness;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;

/**
 * A UDP server on one thread blocked in {@code receive}, which {@link #close()} unblocks by closing the socket.
 *
 * <p>{@code receive} returns the sender's address; the JDK reuses the last one when the sender repeats, so a single
 * flow allocates nothing, but datagrams alternating between many flows each allocate a small address object.
 */
abstract class UdpServerBase extends AbstractBenchServer
{
    private static final int RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024;

    protected final DatagramChannel channel;
    protected final ByteBuffer buffer = ByteBuffer.allocateDirect(64 * 1024);
    private final InetSocketAddress local;

    UdpServerBase(final Kind kind, final InetSocketAddress bind) throws IOException
    {
        super(kind);
        channel = DatagramChannel.open(bind.getAddress() instanceof Inet6Address ?
            StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
        try
        {
            // A larger receive buffer rides out the sink thread being descheduled on a busy two-core machine;
            // the kernel caps it at net.core.rmem_max, which is fine.
            channel.setOption(StandardSocketOptions.SO_RCVBUF, RECEIVE_BUFFER_BYTES);
            channel.bind(bind);
            local = bound(channel);
        }
        catch (final IOException ex)
        {
            channel.close();
            throw new IOException("cannot listen on " + Formats.address(bind) + ": " + ErrorLog.describe(ex), ex);
        }
        startThread();
    }

    @Override
    public InetSocketAddress localAddress()
    {
        return local;
    }

    @Override
    protected void wakeUp()
    {
        release();
    }

    @Override
    protected void release()
    {
        try
        {
            channel.close();
        }
        catch (final IOException ignored)
        {
            // Shutting down: nothing more to learn from this socket.
        }
    }
}
