package io.portgate.metrics;

import org.agrona.concurrent.status.AtomicCounter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MetricsFileTest
{
    @TempDir
    Path dir;

    @Test
    void anotherReaderSeesTheSumOverWorkers()
    {
        final Path file = dir.resolve("portgate.metrics");
        try (MetricsFile metrics = MetricsFile.create(file, 64))
        {
            final String web = Labels.of("listener", "web");
            final AtomicCounter w0 = metrics.counter(Metric.TCP_CONNECTIONS, 0, web);
            final AtomicCounter w1 = metrics.counter(Metric.TCP_CONNECTIONS, 1, web);
            final AtomicCounter bytes = metrics.counter(Metric.BYTES_RECEIVED, 0,
                Labels.of("listener", "web", "pool", "web", "target", "127.0.0.1:9000"));
            w0.incrementRelease();
            w0.incrementRelease();
            w1.getAndAddRelease(5);
            bytes.getAndAddRelease(1234);

            try (MetricsReader reader = MetricsReader.open(file))
            {
                assertEquals(ProcessHandle.current().pid(), reader.pid());
                assertTrue(reader.ownerAlive());
                assertEquals(7, reader.sum(Metric.TCP_CONNECTIONS, "listener", "web"));
                assertEquals(1234, reader.sum(Metric.BYTES_RECEIVED, "target", "127.0.0.1:9000"));
                final List<MetricsReader.Sample> samples = reader.samples();
                assertEquals(2, samples.size(), "workers are summed into one sample per label set");

                w1.incrementRelease();
                assertEquals(8, reader.sum(Metric.TCP_CONNECTIONS), "live: the reader sees new values");
            }
        }
        assertFalse(Files.exists(file), "a stopped balancer leaves no stale file");
    }

    @Test
    void prometheusText()
    {
        try (MetricsFile metrics = MetricsFile.inMemory(16))
        {
            metrics.counter(Metric.TCP_CONNECTIONS, 0, Labels.of("listener", "web")).getAndAddRelease(3);
            metrics.counter(Metric.TCP_CONNECTIONS, 0, Labels.of("listener", "a\"b")).getAndAddRelease(1);
            metrics.counter(Metric.TCP_CONNECTIONS_ACTIVE, 0, Labels.of("listener", "web")).incrementRelease();
            final String text = PrometheusText.render(metrics.reader().samples());
            assertEquals("""
                # HELP portgate_tcp_connections_active TCP connections open now
                # TYPE portgate_tcp_connections_active gauge
                portgate_tcp_connections_active{listener="web"} 1
                # HELP portgate_tcp_connections_total TCP connections accepted
                # TYPE portgate_tcp_connections_total counter
                portgate_tcp_connections_total{listener="web"} 3
                portgate_tcp_connections_total{listener="a\\"b"} 1
                """, text);
            assertEquals("a\"b", Labels.parse(Labels.of("listener", "a\"b")).get("listener"));
        }
    }

    @Test
    void refusesAFileALiveProcessOwnsAndReplacesAStaleOne() throws IOException
    {
        final Path file = dir.resolve("owned.metrics");
        final long parentPid = ProcessHandle.current().parent().orElseThrow().pid();
        try (MetricsFile metrics = MetricsFile.create(file, 8))
        {
            metrics.counter(Metric.TCP_CONNECTIONS, 0, "").incrementRelease();
            final Path copy = dir.resolve("copy.metrics");
            Files.copy(file, copy);
            setPid(copy, parentPid);
            final IllegalStateException ex = assertThrows(IllegalStateException.class,
                () -> MetricsFile.create(copy, 8));
            assertTrue(ex.getMessage().contains("belongs to a running process (pid " + parentPid + ")"),
                ex.getMessage());

            setPid(copy, Long.MAX_VALUE - 1);
            try (MetricsFile replaced = MetricsFile.create(copy, 8);
                MetricsReader reader = MetricsReader.open(copy))
            {
                assertEquals(0, reader.sum(Metric.TCP_CONNECTIONS), "the stale file was replaced, not reused");
                assertTrue(replaced.file().equals(copy));
            }
        }
        final Path garbage = dir.resolve("garbage");
        Files.writeString(garbage, "x".repeat(500));
        assertTrue(assertThrows(IllegalStateException.class, () -> MetricsFile.create(garbage, 8)).getMessage()
            .contains("is not a portgate metrics file"));
        assertThrows(IllegalArgumentException.class, () -> MetricsReader.open(dir.resolve("missing")));
    }

    @Test
    void incrementsAllocateNothing()
    {
        try (MetricsFile metrics = MetricsFile.inMemory(8))
        {
            final AtomicCounter counter = metrics.counter(Metric.BYTES_SENT, 0, Labels.of("listener", "web"));
            final com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
            final long thread = Thread.currentThread().threadId();
            for (int i = 0; i < 100_000; i++)
            {
                counter.getAndAddRelease(i);
            }
            final long before = threads.getThreadAllocatedBytes(thread);
            for (int i = 0; i < 1_000_000; i++)
            {
                counter.getAndAddRelease(i);
                counter.incrementRelease();
            }
            final long allocated = threads.getThreadAllocatedBytes(thread) - before;
            // The measurement itself may allocate a few bytes; a per-increment allocation would be megabytes.
            assertTrue(allocated < 1024, "allocated " + allocated + " bytes over 2M increments");
        }
    }

    private static void setPid(final Path file, final long pid) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE))
        {
            final ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(0, pid);
            channel.write(b, MetricsFile.PID_OFFSET);
        }
    }
}
