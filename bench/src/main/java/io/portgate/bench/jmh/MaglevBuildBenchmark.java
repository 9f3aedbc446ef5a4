package io.portgate.bench.jmh;

import java.util.concurrent.TimeUnit;

import io.portgate.balance.Hashing;
import io.portgate.balance.MaglevTable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Building a Maglev lookup table, which the conductor does whenever a pool's eligible targets change (a health
 * verdict, a drain, a reload): it runs off the data path, but a slow build delays every verdict. Table size is the
 * library's own choice for the pool size ({@link MaglevTable#tableSizeFor}).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsPrepend = {
    JvmFlags.ADD_EXPORTS, JvmFlags.MISC, JvmFlags.ADD_EXPORTS, JvmFlags.NIO_CH, JvmFlags.NATIVE_ACCESS,
    JvmFlags.UNSAFE_MEMORY_ACCESS, JvmFlags.HEAP_MIN, JvmFlags.HEAP_MAX })
@State(Scope.Thread)
public class MaglevBuildBenchmark
{
    /**
     * Eligible targets in the pool.
     */
    @Param({ "3", "16", "64", "256" })
    public int targets;

    /**
     * {@code equal} weights, or {@code mixed} weights 1 to 4.
     */
    @Param({ "equal", "mixed" })
    public String weights;

    private int[] targetIds;
    private int[] targetWeights;
    private long[] targetKeys;

    /** Builds the pool description. */
    @Setup
    public void setUp()
    {
        targetIds = new int[targets];
        targetWeights = new int[targets];
        targetKeys = new long[targets];
        for (int i = 0; i < targets; i++)
        {
            targetIds[i] = i;
            targetWeights[i] = "mixed".equals(weights) ? 1 + (i & 3) : 1;
            targetKeys[i] = Hashing.targetKey(i);
        }
    }

    /**
     * One build.
     *
     * @return the table, so the build is not eliminated.
     */
    @Benchmark
    public MaglevTable build()
    {
        return MaglevTable.build(targetIds, targetWeights, targetKeys);
    }
}
