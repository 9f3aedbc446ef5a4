package io.portgate.spi;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Objects;

/**
 * Checks the allocation-free contract of a {@link BalancingPolicy}'s picks, for an embedder's tests: it builds a
 * picker, warms it up so that the JIT compiles it as the data path would, then counts the bytes the calling thread
 * allocates over many picks with {@code com.sun.management.ThreadMXBean#getThreadAllocatedBytes}.
 *
 * <pre>{@code
 * AllocationCheck.requireAllocationFree(myPolicy, targets, load);
 * }</pre>
 *
 * <p>Run it in a JVM of its own where possible (Maven Surefire's {@code reuseForks=false}): a profile polluted by
 * other tests can defeat escape analysis. It does not assert anything about time.
 */
public final class AllocationCheck
{
    /** Picks made before measuring, so that the pick is compiled. */
    public static final int WARM_UP_PICKS = 200_000;
    /** Picks measured in each round. */
    public static final int MEASURED_PICKS = 100_000;
    private static final int ROUNDS = 5;

    private AllocationCheck()
    {
    }

    /**
     * Builds a picker for the targets and counts what its picks allocate: the fewest bytes any of a few rounds of
     * {@link #MEASURED_PICKS} picks allocated, after {@link #WARM_UP_PICKS} picks of warm-up.
     *
     * @param policy  the policy.
     * @param targets the eligible targets to build its picker over.
     * @param load    the load view to build it with.
     * @return bytes allocated over {@link #MEASURED_PICKS} picks in the quietest round; 0 for a policy that keeps the
     * contract.
     * @throws UnsupportedOperationException when this JVM cannot count a thread's allocations.
     */
    public static long bytesAllocated(final BalancingPolicy policy, final EligibleTargets targets,
        final LoadView load)
    {
        Objects.requireNonNull(policy, "policy");
        final BalancingPolicy.Picker picker = policy.picker(targets, load, 1);
        final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        final MethodHandle allocated = allocatedBytes(threads);
        long sink = pick(picker, WARM_UP_PICKS, 0);
        long fewest = Long.MAX_VALUE;
        for (int round = 0; round < ROUNDS; round++)
        {
            final long before = allocated(allocated, threads);
            sink += pick(picker, MEASURED_PICKS, round);
            final long after = allocated(allocated, threads);
            fewest = Math.min(fewest, after - before);
        }
        if (sink == Long.MIN_VALUE)
        {
            // Never true; keeps the picks from being optimised away.
            System.out.print("");
        }
        return fewest;
    }

    /**
     * Fails unless the policy's picks allocate nothing, as {@link #bytesAllocated} counts them.
     *
     * @param policy  the policy.
     * @param targets the eligible targets to build its picker over.
     * @param load    the load view to build it with.
     * @throws AssertionError when a round of picks allocated; the message says how much.
     */
    public static void requireAllocationFree(final BalancingPolicy policy, final EligibleTargets targets,
        final LoadView load)
    {
        final long bytes = bytesAllocated(policy, targets, load);
        if (bytes > 0)
        {
            throw new AssertionError("balancing policy " + policy.getClass().getName() + " allocated " + bytes +
                " bytes over " + MEASURED_PICKS + " picks (in its quietest round, after " + WARM_UP_PICKS +
                " picks of warm-up); a pick runs on the data path and must not allocate");
        }
    }

    /**
     * {@code com.sun.management.ThreadMXBean#getCurrentThreadAllocatedBytes}, reached by a method handle so that the
     * library does not need the {@code jdk.management} module where nobody checks a policy, and typed exactly so that
     * reading the count allocates nothing itself.
     */
    private static MethodHandle allocatedBytes(final ThreadMXBean threads)
    {
        try
        {
            final Class<?> type = Class.forName("com.sun.management.ThreadMXBean");
            if (!type.isInstance(threads))
            {
                throw new UnsupportedOperationException("this JVM cannot count the bytes a thread allocates");
            }
            type.getMethod("setThreadAllocatedMemoryEnabled", boolean.class).invoke(threads, true);
            return MethodHandles.publicLookup()
                .findVirtual(type, "getCurrentThreadAllocatedBytes", MethodType.methodType(long.class))
                .asType(MethodType.methodType(long.class, ThreadMXBean.class));
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new UnsupportedOperationException("this JVM cannot count the bytes a thread allocates: " + ex, ex);
        }
    }

    private static long allocated(final MethodHandle allocated, final ThreadMXBean threads)
    {
        try
        {
            return (long)allocated.invokeExact(threads);
        }
        catch (final RuntimeException | Error ex)
        {
            throw ex;
        }
        catch (final Throwable ex)
        {
            throw new UnsupportedOperationException(ex);
        }
    }

    private static long pick(final BalancingPolicy.Picker picker, final int picks, final int round)
    {
        long sum = 0;
        long hash = 0x9E37_79B9_7F4A_7C15L * (round + 1);
        for (int i = 0; i < picks; i++)
        {
            hash += 0x9E37_79B9_7F4A_7C15L;
            sum += picker.pick(hash ^ (hash >>> 29));
        }
        return sum;
    }
}
