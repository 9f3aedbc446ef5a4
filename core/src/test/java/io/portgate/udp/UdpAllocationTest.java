package io.portgate.udp;

import io.portgate.Portgate;
import io.portgate.config.FastPath;
import io.portgate.ffm.UdpBatching;
import io.portgate.ffm.UdpGso;
import io.portgate.testing.TestConfigs;
import io.portgate.testing.UdpEchoServer;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Proves the UDP hot path allocates nothing per datagram: the worker thread's allocated bytes are read around many
 * warmed ping-pong datagrams through a running balancer, in both directions.
 */
class UdpAllocationTest
{
    private static final int WARM_UP = 10_000;
    /**
     * Warm-up rounds at most. On a small, busy machine the JIT may still be compiling, or may deoptimise a loop
     * method and run it in the profiling tier (which does no escape analysis) for a while; steady state is reached
     * when a round allocates no more than the tolerance.
     */
    private static final int MAX_WARM_UP_ROUNDS = 20;
    private static final int DATAGRAMS = 20_000;
    private static final int SIZE = 64;
    /**
     * Allowance for the whole measured run, not per datagram: the JDK's Selector boxes a file descriptor of 128 or
     * more into an Integer (16 B) to find its key, and the idle strategy's park may allocate once when the thread
     * first parks on a new path. A per-datagram allocation of even 1 B would exceed it (20 000 B).
     */
    private static final long FIXED_TOLERANCE_BYTES = 16 * 1024;

    /**
     * Plain NIO is measured with one client: the JDK decodes (and allocates) a sender's address whenever it differs
     * from the last one, so clients taking turns cost an address each on that path. The batched path reads senders
     * from native memory and is measured with clients taking turns, also through a listener on the wildcard, whose
     * flows remember the address each datagram arrived on and send their replies from it.
     */
    @ParameterizedTest(name = "batching {0}, {1} client(s), bound to {2}")
    @CsvSource({"OFF, 1, 127.0.0.1", "ON, 4, 127.0.0.1", "ON, 4, 0.0.0.0"})
    @Timeout(120)
    void pingPongAllocatesNothingPerDatagram(final FastPath batching, final int clientCount, final String bind)
        throws Exception
    {
        if (batching == FastPath.ON)
        {
            assumeTrue(UdpBatching.probe().isAvailable(), () -> String.valueOf(UdpBatching.probe().unavailabilityCause()));
        }
        final FastPath gso = batching == FastPath.ON && UdpGso.probe().isAvailable() ? FastPath.ON : FastPath.OFF;
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isThreadAllocatedMemorySupported(), "this JVM cannot count allocated bytes per thread");
        threads.setThreadAllocatedMemoryEnabled(true);

        try (UdpEchoServer echo = UdpEchoServer.start('E'))
        {
            final Portgate portgate = Portgate.start(TestConfigs.udp(batching, gso, 1,
                l -> l.bind(bind + ":" + io.portgate.testing.FreePorts.udpOnEveryAddress())
                    // Access rules and per-source limits checked on every datagram: without allocating either.
                    .deny(io.portgate.config.CidrConfig.of("deny", "192.0.2.0/24", "10.0.0.0/8", "2001:db8::/32"))
                    .maxFlowsPerSource(1000).datagramRatePerSource(1_000_000), p -> { }, echo.port()));
            final DatagramChannel[] clients = new DatagramChannel[clientCount];
            try
            {
                final int port = portgate.boundAddresses(TestConfigs.LISTENER).getFirst().getPort();
                for (int c = 0; c < clientCount; c++)
                {
                    // On the wildcard each client sends to an address of its own, which its connected socket
                    // requires the replies to come from.
                    final String to = bind.equals("0.0.0.0") ? "127.0.0." + (2 + c) : bind;
                    clients[c] = DatagramChannel.open(StandardProtocolFamily.INET)
                        .bind(new InetSocketAddress(InetAddress.getByName(to), 0))
                        .connect(new InetSocketAddress(InetAddress.getByName(to), port));
                }
                final long workerId = workerThreadId();
                final ByteBuffer out = ByteBuffer.allocateDirect(SIZE);
                final ByteBuffer in = ByteBuffer.allocateDirect(SIZE + 1);
                for (int i = 0; i < SIZE; i++)
                {
                    out.put(i, (byte)(31 * i + 7));
                }
                warmUp(threads, workerId, clients, out, in);

                final long before = threads.getThreadAllocatedBytes(workerId);
                pingPong(clients, out, in, DATAGRAMS);
                final long allocated = threads.getThreadAllocatedBytes(workerId) - before; 

                assertTrue(allocated <= FIXED_TOLERANCE_BYTES, "the worker allocated " + allocated + " B over " +
                    DATAGRAMS + " datagrams each way (" + (double)allocated / DATAGRAMS + " B/datagram)");
                assertEquals(0, portgate.stats().udpListener(TestConfigs.LISTENER).bytesIn() % SIZE);
                assertEquals(clientCount, portgate.stats().udpListener(TestConfigs.LISTENER).totalFlows());
            }
            finally
            {
                for (final DatagramChannel client : clients)
                {
                    if (client != null)
                    {
                        client.close();
                    }
                }
                portgate.close(Duration.ZERO);
            }
        }
    }

    private static void warmUp(final com.sun.management.ThreadMXBean threads, final long workerId,
        final DatagramChannel[] clients, final ByteBuffer out, final ByteBuffer in) throws Exception
    {
        for (int round = 0; round < MAX_WARM_UP_ROUNDS; round++)
        {
            final long before = threads.getThreadAllocatedBytes(workerId);
            pingPong(clients, out, in, WARM_UP);
            if (threads.getThreadAllocatedBytes(workerId) - before <= FIXED_TOLERANCE_BYTES)
            {
                return;
            }
        }
    }

    private static void pingPong(final DatagramChannel[] clients, final ByteBuffer out, final ByteBuffer in,
        final int datagrams) throws Exception
    {
        for (int i = 0; i < datagrams; i++)
        {
            final DatagramChannel client = clients[i % clients.length];
            out.clear();
            out.putInt(0, i);
            assertEquals(SIZE, client.write(out));
            in.clear();
            assertEquals(SIZE + 1, client.read(in), "one whole reply");
            assertEquals('E', in.get(0));
            assertEquals(out.clear(), in.position(1).limit(SIZE + 1).slice(), "echoed bytes of datagram " + i);
        }
    }

    private static long workerThreadId()
    {
        for (final Thread thread : Thread.getAllStackTraces().keySet())
        {
            if (thread.getName().equals("portgate-worker-0"))
            {
                return thread.threadId();
            }
        }
        throw new IllegalStateException("no worker thread");
    }
}
