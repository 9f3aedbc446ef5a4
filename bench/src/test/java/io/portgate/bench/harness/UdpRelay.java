package io.portgate.bench.harness;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A one-way UDP forwarder on 127.0.0.1 that misbehaves on a schedule: it drops every {@code dropEvery}-th datagram
 * and sends every {@code duplicateEvery}-th twice, so a test knows exactly what the sink should count.
 */
final class UdpRelay implements AutoCloseable
{
    private final DatagramSocket socket;
    private final DatagramSocket upstream;
    private final InetSocketAddress sink;
    private final int dropEvery;
    private final int duplicateEvery;
    final AtomicLong received = new AtomicLong();
    final AtomicLong dropped = new AtomicLong();
    final AtomicLong duplicated = new AtomicLong();

    UdpRelay(final InetSocketAddress sink, final int dropEvery, final int duplicateEvery) throws IOException
    {
        this.sink = sink;
        this.dropEvery = dropEvery;
        this.duplicateEvery = duplicateEvery;
        this.socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        this.socket.setReceiveBufferSize(4 * 1024 * 1024);
        this.upstream = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().daemon().name("test-udp-relay").start(this::forward);
    }

    InetSocketAddress address()
    {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), socket.getLocalPort());
    }

    private void forward()
    {
        final DatagramPacket packet = new DatagramPacket(new byte[65_536], 65_536);
        try
        {
            while (true)
            {
                packet.setLength(65_536);
                socket.receive(packet);
                final long n = received.incrementAndGet();
                if (n % dropEvery == 0)
                {
                    dropped.incrementAndGet();
                    continue;
                }
                packet.setSocketAddress(sink);
                upstream.send(packet);
                if (n % duplicateEvery == 0)
                {
                    duplicated.incrementAndGet();
                    upstream.send(packet);
                }
            }
        }
        catch (final IOException closed)
        {
            // close() closed the socket.
        }
    }

    @Override
    public void close()
    {
        socket.close();
        upstream.close();
    }
}
