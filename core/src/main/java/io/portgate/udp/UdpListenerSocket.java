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
    /**
     * The socket's file descriptor where the native layer reaches it (the batched path receives through it; both
     * paths read the kernel's drop count through it), -1 otherwise.
     */
    final int fd;
    /** Bound to the wildcard: the kernel reports each datagram's arrival address, and replies must name it. */
    final boolean repliesFromArrivalAddress;
    private SelectionKey key;
    /** Set when a reload gave the socket to another listener: closing this one then leaves the socket open. */
    private boolean movedOn;
    /** The kernel's drop count of the socket as last counted (unsigned 32-bit, as the kernel keeps it). */
    private long kernelDrops;

    UdpListenerSocket(final UdpFlows flows, final int portOffset, final DatagramChannel channel, final int fd)
    {
        this.flows = flows;
        this.portOffset = portOffset;
        this.channel = channel;
        this.fd = fd;
        this.repliesFromArrivalAddress = flows.route().listener().bind().isWildcard();
    }

    /**
     * Takes over the drop count a socket's previous holder counted up to, when a reload hands the socket on.
     *
     * @param before the socket's previous holder.
     */
    void continueDropsOf(final UdpListenerSocket before)
    {
        kernelDrops = before.kernelDrops;
    }

    /**
     * The kernel's drop count of this socket as read now (SO_MEMINFO) or as a received datagram carried it
     * (SO_RXQ_OVFL): what it grew by since last seen is counted as dropped for a full receive buffer. A reading
     * older than one already counted (a datagram queued before the last SO_MEMINFO read) counts nothing.
     *
     * @param count the count, unsigned 32-bit; a negative one (none to read) is ignored.
     */
    void observeKernelDrops(final long count)
    {
        if (count < 0)
        {
            return;
        }
        final long grown = (count - kernelDrops) & 0xFFFF_FFFFL;
        if (grown != 0 && grown < 0x8000_0000L)
        {
            kernelDrops = count;
            flows.dropped(UdpSlots.L_DROP_RECEIVE_BUFFER, (int)grown);
        }
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
