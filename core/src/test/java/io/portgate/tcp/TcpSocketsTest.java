package io.portgate.tcp;

import io.portgate.ffm.NativeFd;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Issue 12: what an accepted or connected socket costs on the NIO path, on real sockets of 127.0.0.1. */
class TcpSocketsTest
{
    @Test
    @Timeout(20)
    void socketsAcceptedFromAListenerWithNoDelayHaveItWithoutASetsockoptOfTheirOwn() throws Exception
    {
        assumeTrue(NativeFd.isAvailable(), "the native layer is not reachable here");
        try (ServerSocketChannel listener = ServerSocketChannel.open())
        {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            assertTrue(TcpSockets.noDelayOnListener(listener));
            for (int i = 0; i < 3; i++)
            {
                try (SocketChannel client = SocketChannel.open(listener.getLocalAddress());
                    SocketChannel accepted = listener.accept())
                {
                    assertTrue(accepted.getOption(StandardSocketOptions.TCP_NODELAY),
                        "accepted socket " + i + " came without TCP_NODELAY");
                    // It still carries bytes both ways.
                    client.write(ByteBuffer.wrap(new byte[] {(byte)i}));
                    final ByteBuffer in = ByteBuffer.allocate(1);
                    accepted.read(in);
                    assertEquals(i, in.get(0));
                }
            }
        }
    }

    @Test
    void aSocketToAnIpv4TargetIsAnIpv4Socket()
    {
        assertEquals(StandardProtocolFamily.INET, TcpSockets.familyOf(new InetSocketAddress("127.0.0.1", 80)));
        assertEquals(StandardProtocolFamily.INET6, TcpSockets.familyOf(new InetSocketAddress("::1", 80)));
    }

    @Test
    void anIpv4ClientHashesAsItsBytesDoAndAllocatesNothing() throws Exception
    {
        final InetSocketAddress[] clients = new InetSocketAddress[64];
        for (int i = 0; i < clients.length; i++)
        {
            clients[i] = new InetSocketAddress(InetAddress.getByAddress(new byte[] {10, (byte)i, (byte)(200 + i), 7}),
                40_000 + i);
        }
        final long[] high = new long[clients.length];
        final long[] low = new long[clients.length];
        for (int i = 0; i < clients.length; i++)
        {
            high[i] = io.portgate.net.Ip.high(clients[i].getAddress());
            low[i] = io.portgate.net.Ip.low(clients[i].getAddress());
            assertEquals(bytewise(clients[i].getAddress().getAddress()), TcpSockets.hashOf(high[i], low[i]));
        }
        final InetAddress v6 = InetAddress.getByName("2001:db8::17");
        assertEquals(bytewise(v6.getAddress()), TcpSockets.hashOf(io.portgate.net.Ip.high(v6), io.portgate.net.Ip.low(v6)));

        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isThreadAllocatedMemorySupported(), "this JVM cannot count allocated bytes per thread");
        threads.setThreadAllocatedMemoryEnabled(true);
        final long id = Thread.currentThread().threadId();
        long sum = 0;
        final long before = threads.getThreadAllocatedBytes(id);
        for (int i = 0; i < 10_000; i++)
        {
            sum += TcpSockets.hashOf(high[i & 63], low[i & 63]);
        }
        final long allocated = threads.getThreadAllocatedBytes(id) - before;
        assertTrue(allocated < 10_000, "10,000 hashes of IPv4 clients allocated " + allocated + " B (sum " + sum + ")");
    }

    /** The hash as it always was: over the address's bytes, so a client keeps its target across the change. */
    private static long bytewise(final byte[] ip)
    {
        long h = 0;
        for (final byte b : ip)
        {
            h = h * 31 + (b & 0xFF);
        }
        return h;
    }
}
