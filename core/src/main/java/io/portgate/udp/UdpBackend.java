package io.portgate.udp;

import io.portgate.loop.IoHandler;

import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;

/**
 * A flow's socket to one target: connected to it, so the kernel passes up only that target's replies and reports an
 * ICMP port unreachable from it as an error on this socket. Registered with the worker's selector for reading.
 */
final class UdpBackend implements IoHandler
{
    final UdpFlow flow;
    int target;
    DatagramChannel channel;
    SelectionKey key;
    /** The socket's file descriptor on the batched path, -1 otherwise. */
    int fd = -1;

    UdpBackend(final UdpFlow flow, final int target)
    {
        this.flow = flow;
        this.target = target;
    }

    boolean isOpen()
    {
        return channel != null;
    }

    @Override
    public void onReady(final SelectionKey key, final long nowNs)
    {
        flow.flows.path().drainBackend(this, nowNs);
    }
}
