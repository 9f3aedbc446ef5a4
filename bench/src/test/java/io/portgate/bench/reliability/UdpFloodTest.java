package io.portgate.bench.reliability;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The kernel's UDP drop count the flood scenario reads, from the real /proc/net/udp of this machine. */
class UdpFloodTest
{
    @Test
    void everyDatagramIsEitherQueuedOrCountedAsAKernelDrop() throws Exception
    {
        final InetAddress loopback = InetAddress.getLoopbackAddress();
        try (DatagramChannel receiver = DatagramChannel.open();
             DatagramChannel sender = DatagramChannel.open())
        {
            receiver.setOption(StandardSocketOptions.SO_RCVBUF, 4096);
            receiver.bind(new InetSocketAddress(loopback, 0));
            final int port = ((InetSocketAddress)receiver.getLocalAddress()).getPort();
            final long before = UdpFlood.kernelDrops(port);
            sender.connect(new InetSocketAddress(loopback, port));
            final ByteBuffer datagram = ByteBuffer.allocate(1000);
            final int sent = 500;
            for (int i = 0; i < sent; i++)
            {
                datagram.clear();
                sender.write(datagram);
            }
            receiver.configureBlocking(false);
            int queued = 0;
            while (receiver.receive(datagram.clear()) != null)
            {
                queued++;
            }
            final long dropped = UdpFlood.kernelDrops(port) - before;
            assertTrue(dropped > 0, "a 4 KiB receive buffer cannot queue 500 KB: " + queued + " queued");
            assertEquals(sent, queued + dropped, queued + " queued, " + dropped + " dropped");
        }
    }
}
