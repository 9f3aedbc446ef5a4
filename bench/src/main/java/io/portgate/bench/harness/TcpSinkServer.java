package io.portgate.bench.harness;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/** Reads and discards everything, counting bytes: the far end of a bulk run. */
public final class TcpSinkServer extends TcpServerBase
{
    /**
     * Starts a discard server.
     *
     * @param bind where to listen; port 0 picks a free port.
     * @throws IOException when it cannot listen.
     */
    public TcpSinkServer(final InetSocketAddress bind) throws IOException
    {
        super(Kind.TCP_SINK, bind);
    }

    @Override
    protected void onReadable(final SelectionKey key, final SocketChannel channel) throws IOException
    {
        read(key, channel);
    }
}
