package io.portgate.udp;

import io.portgate.loop.IoHandler;

import java.io.IOException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;

/**
 * One worker's socket for one port of a UDP listener. It receives the clients' datagrams and sends the targets'
 * replies, so a client sees replies come from the address and port it sent to: on a socket bound to the wildcard,
 * each flow remembers the local address its datagrams arrived on and its replies name it as their source.
 */
final class UdpListenerSocket implements IoHandler
{
    final UdpFlows flows;
    final int portOffset;
    final DatagramChannel channel;
    /** The socket's file descriptor on the batched path, -1 otherwise. */
    final int fd;
    /** Bound to the wildcard: the kernel reports each datagram's arrival address, and replies must name it. */
    final boolean repliesFromArrivalAddress;
    private SelectionKey key;
    /** Set when a reload gave the socket to another listener: closing this one then leaves the socket open. */
    private boolean movedOn;

    UdpListenerSocket(final UdpFlows flows, final int portOffset, final DatagramChannel channel, final int fd)
    {
        this.flows = flows;
        this.portOffset = portOffset;
        this.channel = channel;
        this.fd = fd;
        this.repliesFromArrivalAddress = flows.route().listener().bind().isWildcard();
    }

    void register(final io.portgate.loop.Worker worker) throws IOException
    {
        key = worker.register(channel, SelectionKey.OP_READ, this);
    }

    @Override
    public void onReady(final SelectionKey key, final long nowNs)
    {
        flows.path().drainListener(this, nowNs);
    }

    /** A reload gave the socket to another listener, which registered it for itself. */
    void moveOn()
    {
        movedOn = true;
        key = null;
    }

    void close()
    {
        if (movedOn)
        {
            return;
        }
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
            // Closing anyway; a socket that cannot be closed cleanly leaves nothing to act on.
        }
    }
}
