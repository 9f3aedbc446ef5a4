package io.portgate.bench.jmh;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import io.portgate.balance.BalanceAlgorithm;
import io.portgate.balance.BalancerPolicies;
import io.portgate.balance.BalancerPolicy;
import io.portgate.spi.LoadView;
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
 * The cost of one {@link BalancerPolicy#pick(long)} per policy and pool size, the work a forwarder loop does for
 * every new connection or flow. Run with {@code -prof gc} to confirm the pick allocates nothing. The policy list
 * covers every {@link BalanceAlgorithm}; {@code BenchmarkCoverageTest} fails when a policy is added without it.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsPrepend = {
    JvmFlags.ADD_EXPORTS, JvmFlags.MISC, JvmFlags.ADD_EXPORTS, JvmFlags.NIO_CH, JvmFlags.NATIVE_ACCESS,
    JvmFlags.UNSAFE_MEMORY_ACCESS, JvmFlags.HEAP_MIN, JvmFlags.HEAP_MAX })
@State(Scope.Thread)
public class BalancerPickBenchmark
{
    // Client keys walk a Weyl sequence: it never repeats, so the branch predictor cannot learn a replayed key
    // array and flatter the hashing policies, and it costs one add.
    private static final long KEY_STEP = 0x9E37_79B9_7F4A_7C15L;

    /**
     * The policy under test, by configuration name.
     */
    @Param({ "round-robin", "weighted", "least-conn", "p2c", "source-hash", "maglev" })
    public String algorithm;

    /**
     * Eligible targets in the pool.
     */
    @Param({ "4", "64" })
    public int targets;

    private int[] activeConnections;
    private BalancerPolicy policy;
    private long clientKey;

    /**
     * Builds the pool with weights 1 to 4 and a spread of connection counts, so least-conn and p2c compare real
     * numbers.
     */
    @Setup
    public void setUp()
    {
        final SplittableRandom random = new SplittableRandom(42);
        final int[] targetIds = new int[targets];
        final int[] weights = new int[targets];
        activeConnections = new int[targets];
        for (int i = 0; i < targets; i++)
        {
            targetIds[i] = i;
            weights[i] = 1 + (i & 3);
            activeConnections[i] = random.nextInt(100);
        }

        final int[] counts = activeConnections;
        final LoadView load = targetId -> counts[targetId];
        policy = BalancerPolicies.create(BalanceAlgorithm.fromConfigName(algorithm), targetIds, weights, load, 7);
    }

    /**
     * One pick for the next client.
     *
     * @return the chosen target, returned so the pick is not eliminated.
     */
    @Benchmark
    public int pick()
    {
        final long key = clientKey + KEY_STEP;
        clientKey = key;

        return policy.pick(key);
    }
}
