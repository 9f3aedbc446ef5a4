package io.portgate.tcp;

import io.portgate.loop.IoHandler;

import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/** One worker's listening socket for one port of a TCP listener. */
final class TcpAcceptor implements IoHandler
{
    /** Accepts at most this many per ready event, so a flood of connects cannot starve open connections. */
    private static final int ACCEPT_BATCH = 64;

    private final TcpForwarder forwarder;
    private TcpRouteRuntime runtime;
    private int portOffset;
    private final ServerSocketChannel channel;
    private SelectionKey key;
    /** Whether the sockets it accepts have TCP_NODELAY already, from the listening socket. */
    private boolean noDelayInherited;

    TcpAcceptor(final TcpForwarder forwarder, final TcpRouteRuntime runtime, final int portOffset,
        final ServerSocketChannel channel)
    {
        this.forwarder = forwarder;
        this.channel = channel;
        reassign(runtime, portOffset);
    }

    ServerSocketChannel channel()
    {
        return channel;
    }

    /**
     * Hands the socket to a listener a reload made: the same bound socket, so nothing in its accept queue is lost.
     *
     * @param runtime    the listener now.
     * @param portOffset the port's offset in its range now.
     */
    void reassign(final TcpRouteRuntime runtime, final int portOffset)
    {
        this.runtime = runtime;
        this.portOffset = portOffset;
    }

    void register() throws IOException
    {
        noDelayInherited = TcpSockets.noDelayOnListener(channel);
        key = forwarder.worker().register(channel, SelectionKey.OP_ACCEPT, this);
    }

    @Override
    public void onReady(final SelectionKey key, final long nowNs)
    {
        for (int i = 0; i < ACCEPT_BATCH; i++)
        {
            final SocketChannel client;
            try
            {
                client = channel.accept();
            }
            catch (final IOException ex)
            {
                // Typically out of file descriptors: report it and let the next duty cycle try again.
                forwarder.worker().errorHandler().onError(ex);
                return;
            }
            if (client == null)
            {
                return;
            }
            forwarder.onAccepted(runtime, portOffset, client, noDelayInherited, nowNs);
        }
    }

    void close()
    {
        if (key != null)
        {
            key.cancel();
        }
        try
        {
            channel.close();
        }
        catch (final IOException ex)
        {
            forwarder.worker().errorHandler().onError(ex);
        }
    }
}
