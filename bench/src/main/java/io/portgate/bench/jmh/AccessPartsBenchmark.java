package io.portgate.bench.jmh;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import io.portgate.access.AccessRules;
import io.portgate.access.CidrList;
import io.portgate.access.SourceLimits;
import io.portgate.net.Ip;
import io.portgate.proxy.ProxyHeader;
import io.portgate.proxy.ProxyParser;
import io.portgate.proxy.ProxyWriter;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The per-connection cost of issue 13's building blocks, as a forwarder loop would pay it: the access rules with a
 * 1,000-entry deny list, a per-source acquire and release, and a PROXY v2 header written and parsed (v1 parsed for
 * comparison). Client addresses walk a Weyl sequence, so no two calls look alike to the branch predictor. Run with
 * {@code -prof gc} to see 0 B/op.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsPrepend = {
    JvmFlags.ADD_EXPORTS, JvmFlags.MISC, JvmFlags.ADD_EXPORTS, JvmFlags.NIO_CH, JvmFlags.NATIVE_ACCESS,
    JvmFlags.UNSAFE_MEMORY_ACCESS, JvmFlags.HEAP_MIN, JvmFlags.HEAP_MAX })
@State(Scope.Thread)
public class AccessPartsBenchmark
{
    /** Entries in the deny list. */
    static final int DENY_ENTRIES = 1_000;
    /** Distinct sources the per-source table sees, cycling. */
    static final int SOURCES = 4_096;

    private static final int KEY_STEP = 0x9E37_79B9;
    private static final int LISTENER_IPV4 = 0x7F00_0001;

    private AccessRules rules;
    private SourceLimits limits;
    private long[] held;
    private ProxyParser parser;
    private ProxyHeader header;
    private UnsafeBuffer v2Header;
    private int v2Length;
    private UnsafeBuffer v1Header;
    private int v1Length;
    private UnsafeBuffer out;
    private int client;
    private long now;

    /** Builds the lists, the table and the headers. */
    @Setup
    public void setUp()
    {
        final SplittableRandom random = new SplittableRandom(13);
        final List<String> deny = new ArrayList<>();
        for (int i = 0; i < DENY_ENTRIES; i++)
        {
            deny.add(i % 10 == 0 ?
                String.format("2001:db8:%x::/48", random.nextInt(65_536)) :
                String.format("%d.%d.%d.0/%d", 1 + random.nextInt(223), random.nextInt(256), random.nextInt(256),
                    16 + random.nextInt(9)));
        }
        rules = AccessRules.of(null, CidrList.parse("deny", deny));
        limits = new SourceLimits(SOURCES, SourceLimits.Settings.tcp(8, 100_000), 7);
        held = new long[64];
        parser = new ProxyParser(ProxyParser.MODE_ANY);
        header = new ProxyHeader();
        out = new UnsafeBuffer(ByteBuffer.allocateDirect(256));
        v2Header = new UnsafeBuffer(ByteBuffer.allocateDirect(256));
        v2Length = ProxyWriter.writeV2(v2Header, 0, ProxyHeader.TRANSPORT_STREAM, 0, Ip.mappedLow(0xC000_0201),
            54_321, 0, Ip.mappedLow(LISTENER_IPV4), 443);
        v1Header = new UnsafeBuffer(ByteBuffer.allocateDirect(256));
        v1Length = ProxyWriter.writeV1(v1Header, 0, 0, Ip.mappedLow(0xC000_0201), 54_321, 0,
            Ip.mappedLow(LISTENER_IPV4), 443);
    }

    /**
     * The access rules' verdict for the next IPv4 client against 1,000 deny blocks.
     *
     * @return the verdict.
     */
    @Benchmark
    public int denyListCheck()
    {
        client += KEY_STEP;
        return rules.check(0, Ip.mappedLow(client));
    }

    /**
     * One connection's admission and, for the connection opened 64 calls earlier, its release, over a table of
     * {@value #SOURCES} sources.
     *
     * @return the handle.
     */
    @Benchmark
    public long sourceAcquireRelease()
    {
        client += KEY_STEP;
        now += 1_000;
        final long handle = limits.acquire(0, Ip.mappedLow(client & (SOURCES - 1)), now);
        final int slot = client >>> 26;
        limits.release(held[slot], now);
        held[slot] = handle;
        return handle;
    }

    /**
     * A PROXY v2 header for the next IPv4 client, written into a buffer.
     *
     * @return its length.
     */
    @Benchmark
    public int proxyV2Write()
    {
        client += KEY_STEP;
        return ProxyWriter.writeV2(out, 0, ProxyHeader.TRANSPORT_STREAM, 0, Ip.mappedLow(client), client & 0xFFFF,
            0, Ip.mappedLow(LISTENER_IPV4), 443);
    }

    /**
     * A whole PROXY v2 header parsed.
     *
     * @return the client's port, which depends on the parse.
     */
    @Benchmark
    public int proxyV2Parse()
    {
        return parser.parse(v2Header, 0, v2Length, header) + header.sourcePort();
    }

    /**
     * A whole PROXY v1 {@code TCP4} line parsed, for comparison.
     *
     * @return the client's port, which depends on the parse.
     */
    @Benchmark
    public int proxyV1Parse()
    {
        return parser.parse(v1Header, 0, v1Length, header) + header.sourcePort();
    }
}
