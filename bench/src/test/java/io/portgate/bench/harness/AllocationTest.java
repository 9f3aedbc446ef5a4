package io.portgate.bench.harness;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.time.Duration;

import static io.portgate.bench.harness.BenchRunnerTest.ANY_LOOPBACK_PORT;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The measuring loops allocate nothing per message once warm: each loop runs on the test thread, once to warm up
 * and once counted by the JVM's per-thread allocation counter. What remains is per-run setup (a pacer per
 * connection), so the bound is per message and generous, while a buffer or a boxed key per message would exceed it
 * many times over.
 */
@Timeout(30)
class AllocationTest
{
    private static final double MAX_BYTES_PER_MESSAGE = 2.0;

    @Test
    void rrLoopAllocatesNothingPerRoundTrip() throws IOException
    {
        try (BenchServer echo = BenchServer.start(BenchServer.Kind.TCP_ECHO, ANY_LOOPBACK_PORT))
        {
            assertQuiet(new TcpRoundTripWorker(context(BenchMode.RR, echo.localAddress(), 0), new ErrorLog(),
                echo.localAddress(), new int[] {0, 1}));
            assertQuiet(new TcpRoundTripWorker(context(BenchMode.RR, echo.localAddress(), 20_000), new ErrorLog(),
                echo.localAddress(), new int[] {0, 1}));
        }
    }

    @Test
    void udpRrLoopAllocatesNothingPerRoundTrip() throws IOException
    {
        try (BenchServer echo = BenchServer.start(BenchServer.Kind.UDP_ECHO, ANY_LOOPBACK_PORT))
        {
            assertQuiet(new UdpRoundTripWorker(context(BenchMode.UDP_RR, echo.localAddress(), 0), new ErrorLog(),
                echo.localAddress(), new int[] {0, 1}));
        }
    }

    @Test
    void udpOneWaySenderAllocatesNothingPerDatagram() throws IOException
    {
        try (UdpSink sink = new UdpSink(ANY_LOOPBACK_PORT))
        {
            assertQuiet(new UdpOneWaySender(context(BenchMode.UDP_ONEWAY, sink.localAddress(), 50_000),
                new ErrorLog(), sink.localAddress()));
        }
    }

    private static BenchContext context(final BenchMode mode, final InetSocketAddress target, final long rate)
    {
        final BenchContext context = new BenchContext().mode(mode).target(target).ratePerSecond(rate)
            .connections(2).timeout(Duration.ofSeconds(1));
        if (mode == BenchMode.UDP_ONEWAY)
        {
            context.sinkBind(target);
        }
        return context.conclude();
    }

    private static void assertQuiet(final LoadWorker worker) throws IOException
    {
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long thread = Thread.currentThread().threadId();
        worker.open();
        try
        {
            runFor(worker, 400);
            final long operationsBefore = worker.counters().get(WorkerCounters.OPERATIONS);
            final long bytesBefore = threads.getThreadAllocatedBytes(thread);
            runFor(worker, 400);
            final long allocated = threads.getThreadAllocatedBytes(thread) - bytesBefore;
            final long operations = worker.counters().get(WorkerCounters.OPERATIONS) - operationsBefore;
            assertTrue(operations > 1_000, "too few messages to judge: " + operations);
            final double perMessage = (double)allocated / operations;
            assertTrue(perMessage < MAX_BYTES_PER_MESSAGE, worker.getClass().getSimpleName() + " allocated " +
                allocated + " bytes over " + operations + " messages");
        }
        finally
        {
            worker.closeAll();
        }
    }

    private static void runFor(final LoadWorker worker, final long millis) throws IOException
    {
        final long startNs = System.nanoTime();
        worker.begin(startNs, startNs, startNs + millis * 1_000_000, Long.MAX_VALUE);
        worker.measure();
    }
}
