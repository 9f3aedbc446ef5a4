package io.portgate.access;

import io.portgate.net.Ip;
import io.portgate.proxy.ProxyHeader;
import io.portgate.proxy.ProxyParser;
import io.portgate.proxy.ProxyWriter;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Proves that what a forwarder loop calls per connection or per datagram allocates nothing: the PROXY parser and
 * writer, the CIDR lookup and access rules, the per-source table (evictions included) and the access log's producer
 * side (with a writer thread draining, and with the queue full). The calling thread's allocated bytes are read around
 * many warmed calls; up to three rounds are measured and the best counts, so a round in which the JIT recompiles
 * does not fail the test, while a real per-call allocation shows in every round.
 */
@Timeout(120)
class AccessPartsAllocationTest
{
    private static final int WARM_UP = 200_000;
    private static final int CALLS = 1_000_000;
    private static final int ROUNDS = 3;
    /** For the whole round, not per call: 1 B per call would be a million. */
    private static final long TOLERANCE_BYTES = 4 * 1024;

    private static com.sun.management.ThreadMXBean threads;

    @TempDir
    Path dir;

    /** Keeps results alive so the JIT cannot drop the calls. */
    private long sink;

    @BeforeAll
    static void allocationCounting()
    {
        threads = (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isThreadAllocatedMemorySupported(), "this JVM cannot count allocated bytes per thread");
        threads.setThreadAllocatedMemoryEnabled(true);
    }

    @Test
    void parsingAndWritingProxyHeadersAllocatesNothing()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(512));
        final ByteBuffer heap = ByteBuffer.allocate(512);
        final ProxyParser parser = new ProxyParser(ProxyParser.MODE_ANY);
        final ProxyHeader header = new ProxyHeader();
        final int v2 = ProxyWriter.writeV2(buffer, 0, ProxyHeader.TRANSPORT_STREAM, 0x2001_0db8_0000_0000L, 1, 4000,
            0, Ip.mappedLow(0x7F00_0001), 80);
        final int v1At = 128;
        final int v1 = ProxyWriter.writeV1(buffer, v1At, 0x2001_0db8_0000_0000L, 0xABCD, 65000, 0x2001_0db8_0000_0000L,
            2, 443);
        final int v1Ipv4At = 256;
        final int v1Ipv4 = ProxyWriter.writeV1(buffer, v1Ipv4At, 0, Ip.mappedLow(0xC000_0201), 1, 0,
            Ip.mappedLow(0xC633_6401), 2);
        buffer.getBytes(v1At, heap, v1At, v1);
        assertNoAllocation("PROXY parse and write", i ->
        {
            long r = parser.parse(buffer, 0, v2, header);
            r += parser.parse(buffer, v1At, v1, header);
            r += parser.parse(buffer, v1Ipv4At, v1Ipv4, header);
            r += parser.parse(buffer, v1At, i % v1, header);
            r += parser.parse(heap, v1At, v1, header);
            r += ProxyWriter.writeV2(buffer, 384, ProxyHeader.TRANSPORT_DGRAM, 0, Ip.mappedLow(i), i & 0xFFFF, 0,
                Ip.mappedLow(~i), 53);
            r += ProxyWriter.writeV1(buffer, 384, i, i, i & 0xFFFF, 0, Ip.mappedLow(i), 80);
            return r + header.sourcePort();
        });
    }

    @Test
    void checkingAThousandEntryDenyListAllocatesNothing()
    {
        final SplittableRandom random = new SplittableRandom(1);
        final List<String> entries = new ArrayList<>();
        for (int i = 0; i < 1_000; i++)
        {
            entries.add(i % 4 == 0 ? String.format("2001:db8:%x::/48", i) :
                String.format("%d.%d.%d.0/24", 1 + random.nextInt(220), random.nextInt(256), random.nextInt(256)));
        }
        final AccessRules rules = AccessRules.of(CidrList.parse("allow", List.of("0.0.0.0/0", "::/0")),
            CidrList.parse("deny", entries));
        assertNoAllocation("access rules", i -> rules.check(i % 3 == 0 ? 0x2001_0db8_0000_0000L | i : 0,
            i % 3 == 0 ? i : Ip.mappedLow(i * 0x9E37_79B9)) + rules.check4(i));
    }

    @Test
    void acquiringAndReleasingPerSourceAllocatesNothingEvenWhenEvicting()
    {
        final SourceLimits limits = new SourceLimits(1_024, SourceLimits.Settings.tcp(5, 10), 3);
        final SourceLimits udp = new SourceLimits(1_024, SourceLimits.Settings.udp(5, 1_000), 3);
        final long[] held = new long[64];
        assertNoAllocation("per-source limits", i ->
        {
            final long source = Ip.mappedLow(i % 4_096);
            final long now = i * 1_000L;
            final long handle = limits.acquire(0, source, now);
            final int slot = i & 63;
            limits.release(held[slot], now);
            held[slot] = handle;
            return handle + udp.charge(0x2001_0db8_0000_0000L, i % 3_000, now) + limits.evictions();
        });
        assertTrue(limits.evictions() > 1_000_000, "sources came and went through a full table");
        assertTrue(udp.evictions() > 1_000_000);
    }

    @Test
    void committingAccessRecordsAllocatesNothingWhetherDrainedOrFull() throws Exception
    {
        final AccessLogQueue drained = new AccessLogQueue(4_096);
        final AccessLogQueue full = new AccessLogQueue(16);
        final AccessLogWriter writer = new AccessLogWriter(List.of(drained), AccessLogSettings.file(
            dir.resolve("access.log"), AccessLogFormat.JSON), AccessLogNames.INDICES, Throwable::printStackTrace,
            java.nio.channels.Channels.newChannel(java.io.OutputStream.nullOutputStream()));
        try (AgentRunner runner = new AgentRunner(new SleepingMillisIdleStrategy(1), Throwable::printStackTrace,
            null, writer))
        {
            AgentRunner.startOnThread(runner);
            final AccessLogQueue[] queues = { drained, full };
            assertNoAllocation("access log producer", i ->
            {
                long r = 0;
                for (final AccessLogQueue queue : queues)
                {
                    final AccessRecord record = queue.claim();
                    if (record != null)
                    {
                        record.protocol(AccessRecord.TCP).endEpochMillis(i).listener(1).target(2)
                            .client(0, Ip.mappedLow(i), i & 0xFFFF).bytes(i, i * 2L).connectNs(1_000)
                            .durationNs(i).endReason(EndReason.TARGET_CLOSE);
                        queue.commit(record);
                        r++;
                    }
                }
                return r;
            });
        }
        assertTrue(full.dropped() > 0, "the full queue dropped");
        assertEquals(16, full.committed());
        assertTrue(drained.committed() > 0);
    }

    /** One call of the code under test; returns something that depends on its work. */
    private interface Call
    {
        long run(int i);
    }

    private void assertNoAllocation(final String what, final Call call)
    {
        final long thread = Thread.currentThread().threadId();
        for (int i = 0; i < WARM_UP; i++)
        {
            sink += call.run(i);
        }
        final List<Long> rounds = new ArrayList<>();
        long best = Long.MAX_VALUE;
        for (int round = 0; round < ROUNDS && best > TOLERANCE_BYTES; round++)
        {
            final long before = threads.getThreadAllocatedBytes(thread);
            for (int i = 0; i < CALLS; i++)
            {
                sink += call.run(i);
            }
            final long bytes = threads.getThreadAllocatedBytes(thread) - before;
            rounds.add(bytes);
            best = Math.min(best, bytes);
        }
        final long result = best;
        assertTrue(result <= TOLERANCE_BYTES, () -> what + " allocated " + rounds + " B in rounds of " + CALLS +
            " calls (" + (double)result / CALLS + " B per call)");
    }
}
