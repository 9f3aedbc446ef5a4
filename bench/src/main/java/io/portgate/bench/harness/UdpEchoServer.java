package io.portgate.bench.harness;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/** Sends every datagram back to the address it came from. */
public final class UdpEchoServer extends UdpServerBase
{
    /**
     * Starts a UDP echo server.
     *
     * @param bind where to listen; port 0 picks a free port.
     * @throws IOException when it cannot bind.
     */
    public UdpEchoServer(final InetSocketAddress bind) throws IOException
    {
        super(Kind.UDP_ECHO, bind);
    }

    @Override
    protected void serve() throws IOException
    {
        buffer.clear();
        final SocketAddress sender = channel.receive(buffer);
        counters.increment(WorkerCounters.OPERATIONS);
        counters.add(WorkerCounters.BYTES, buffer.position());
        buffer.flip();
        channel.send(buffer, sender);
    }
}
