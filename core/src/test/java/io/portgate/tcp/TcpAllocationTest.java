package io.portgate.tcp;

import io.portgate.Portgate;
import io.portgate.config.FastPath;
import io.portgate.ffm.Splice;
import io.portgate.testing.EchoServer;
import io.portgate.testing.TestConfigs;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Proves the forwarding hot path allocates nothing: the worker thread's allocated bytes are read around many warmed
 * ping-pong messages through a running balancer.
 */
class TcpAllocationTest
{
    private static final int WARM_UP = 10_000;
    private static final int MESSAGES = 20_000;
    private static final int MESSAGE_SIZE = 64;
    private static final int ROUNDS = 3;
    /**
     * Allowance for the whole measured run, not per message: the JDK's Selector boxes a file descriptor of 128 or
     * more into an Integer (16 B) to find its key, and the idle strategy's park may allocate once when the thread
     * first parks on a new path. A per-message allocation of even 1 B would exceed it (20 000 B).
     */
    private static final long FIXED_TOLERANCE_BYTES = 16 * 1024;

    @ParameterizedTest
    @EnumSource(value = FastPath.class, names = {"OFF", "ON"})
    @Timeout(120)
    void pingPongAllocatesNothingPerMessage(final FastPath splice) throws Exception
    {
        if (splice == FastPath.ON)
        {
            assumeTrue(Splice.probe().isAvailable(), () -> "splice(2) unavailable: " + Splice.probe().unavailabilityCause());
        }
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isThreadAllocatedMemorySupported(), "this JVM cannot count allocated bytes per thread");
        threads.setThreadAllocatedMemoryEnabled(true);

        try (EchoServer echo = EchoServer.start())
        {
            // First-byte timing, access rules, per-source limits and the access log on: they must not allocate
            // either.
            final java.nio.file.Path log = java.nio.file.Files.createTempFile("portgate-access", ".log");
            final Portgate portgate = Portgate.start(TestConfigs.tcp(splice, 1, l -> l.firstByteLatency(true)
                    .deny(io.portgate.config.CidrConfig.of("deny", "192.0.2.0/24", "10.0.0.0/8", "2001:db8::/32"))
                    .maxConnectionsPerSource(100).connectionRatePerSource(1000),
                g -> g.accessLog(io.portgate.config.AccessLogConfig.file(log, io.portgate.config.LogFormat.JSON)),
                echo.port()));
            try (SocketChannel client = SocketChannel.open(portgate.boundAddresses(TestConfigs.LISTENER).getFirst()))
            {
                final long workerId = workerThreadId();
                final ByteBuffer out = ByteBuffer.allocateDirect(MESSAGE_SIZE);
                final ByteBuffer in = ByteBuffer.allocateDirect(MESSAGE_SIZE);
                for (int i = 0; i < MESSAGE_SIZE; i++)
                {
                    out.put(i, (byte)(31 * i + 7));
                }
                pingPong(client, out, in, WARM_UP);

                // Steady state is what is measured: a round during which the JIT recompiles or deoptimises a method
                // of the loop runs it unoptimised, without escape analysis, and may allocate what compiled code does
                // not. So up to ROUNDS rounds are measured and the best one counts; a real per-message allocation
                // shows in every round.
                final List<Long> rounds = new ArrayList<>();
                long allocated = Long.MAX_VALUE;
                for (int round = 0; round < ROUNDS && allocated > FIXED_TOLERANCE_BYTES; round++)
                {
                    final long before = threads.getThreadAllocatedBytes(workerId);
                    pingPong(client, out, in, MESSAGES);
                    final long bytes = threads.getThreadAllocatedBytes(workerId) - before;
                    rounds.add(bytes);
                    allocated = Math.min(allocated, bytes);
                }

                final boolean highFd = highestOpenFd() >= 128;
                assertTrue(allocated <= FIXED_TOLERANCE_BYTES, "the worker allocated " + rounds + " B in rounds of " +
                    MESSAGES + " messages (best " + (double)allocated / MESSAGES + " B/message" +
                    (highFd ? ", file descriptors up to " + highestOpenFd() + " in use" : "") + ")");
                assertEquals((long)(WARM_UP + rounds.size() * MESSAGES) * MESSAGE_SIZE,
                    portgate.stats().listener(TestConfigs.LISTENER).bytesIn());
            }
            finally
            {
                portgate.close(Duration.ZERO);
                java.nio.file.Files.deleteIfExists(log);
            }
        }
    }

    private static void pingPong(final SocketChannel client, final ByteBuffer out, final ByteBuffer in,
        final int messages) throws Exception
    {
        for (int i = 0; i < messages; i++)
        {
            out.clear();
            out.putInt(0, i);
            while (out.hasRemaining())
            {
                client.write(out);
            }
            in.clear();
            while (in.hasRemaining())
            {
                if (client.read(in) < 0)
                {
                    throw new IllegalStateException("closed after " + i + " messages");
                }
            }
            assertEquals(i, in.getInt(0), "echoed message");
            assertEquals(out.clear(), in.clear(), "echoed bytes");
        }
    }

    private static int highestOpenFd()
    {
        final String[] fds = new java.io.File("/proc/self/fd").list();
        int max = -1;
        for (final String fd : fds == null ? new String[0] : fds)
        {
            max = Math.max(max, Integer.parseInt(fd));
        }
        return max;
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
