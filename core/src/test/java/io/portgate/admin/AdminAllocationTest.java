package io.portgate.admin;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Issue 15, finding 5: a burst of malformed admin requests took the process from 88 MB to 318 MB. Refusing one now
 * allocates a bounded amount, whatever its size: the request is read into the connection slot's own buffer, refused
 * with a canned answer, and the rest of its bytes are read into the same buffer and dropped. Measured over every
 * thread of the JVM (the endpoint's and the JDK's), less what the test's own client thread allocated. Runs in a JVM of
 * its own (the allocation-tests execution of core/pom.xml).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AdminAllocationTest
{
    private static final int WARM_UP = 300;
    private static final int REQUESTS = 1_000;
    /** 40 KiB of header: five times what the endpoint takes, and all of it read and dropped after the 431. */
    private static final int JUNK = 40 * 1024;
    /** Per refused request, far below its size; accepting a connection costs the JDK about 1-2 KiB of objects. */
    private static final long BOUND_PER_REQUEST = 8 * 1024;

    @Test
    void refusingAnOversizedRequestAllocatesABoundedAmountWhateverItsSize() throws Exception
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final String head = "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Junk: ";
        final byte[] request = (head + "j".repeat(JUNK) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        final ByteBuffer out = ByteBuffer.allocateDirect(request.length);
        out.put(request);
        final ByteBuffer in = ByteBuffer.allocateDirect(4096);
        try (AdminServer server = AdminServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), null,
            new StubOperations(1)))
        {
            final InetSocketAddress address = server.address();
            assertEquals(WARM_UP, send(address, out, in, WARM_UP), "every one answered 431");

            final long total = threads.getTotalThreadAllocatedBytes();
            final long client = threads.getCurrentThreadAllocatedBytes();
            final int refused = send(address, out, in, REQUESTS);
            final long clientAllocated = threads.getCurrentThreadAllocatedBytes() - client;
            final long allocated = threads.getTotalThreadAllocatedBytes() - total - clientAllocated;
            final long perRequest = allocated / REQUESTS;
            System.out.println("refusing a " + request.length + "-byte request allocated " + perRequest +
                " bytes (the client's own " + clientAllocated / REQUESTS + " bytes excluded)");
            assertEquals(REQUESTS, refused, "every one answered 431");
            assertTrue(perRequest < BOUND_PER_REQUEST, perRequest + " bytes per refused request");
            assertEquals(REQUESTS + WARM_UP, server.counters().rejectedRequests("header_too_large"));
        }
    }

    private static int send(final InetSocketAddress address, final ByteBuffer out, final ByteBuffer in,
        final int count) throws IOException
    {
        int refused = 0;
        for (int i = 0; i < count; i++)
        {
            try (SocketChannel channel = SocketChannel.open(address))
            {
                out.clear();
                while (out.hasRemaining())
                {
                    channel.write(out);
                }
                in.clear();
                channel.configureBlocking(false);
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                int n;
                while ((n = channel.read(in)) >= 0 && in.hasRemaining())
                {
                    // To the end: the endpoint closes after its answer.
                    if (n == 0 && System.nanoTime() - deadline > 0)
                    {
                        fail("request " + i + ": no answer and close within 5 s; read: " + (in.flip().remaining() >
                            0 ? StandardCharsets.US_ASCII.decode(in) : ""));
                    }
                    if (n == 0)
                    {
                        Thread.onSpinWait();
                    }
                }
                if (in.position() >= 12 && in.get(9) == '4' && in.get(10) == '3' && in.get(11) == '1')
                {
                    refused++;
                }
            }
        }
        return refused;
    }
}
