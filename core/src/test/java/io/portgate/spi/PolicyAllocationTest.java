package io.portgate.spi;

import io.portgate.balance.BalanceAlgorithm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link AllocationCheck} holds a policy to the allocation-free contract: the built-in policies and the tests' own
 * pass, one that allocates on each pick fails with the bytes it allocated. Runs in a JVM of its own (surefire's
 * allocation-tests execution).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PolicyAllocationTest
{
    /** Where the allocating policy's garbage goes, so that escape analysis cannot remove it. */
    static volatile Object sink;

    private static final EligibleTargets TARGETS = EligibleTargets.of(new int[] {0, 2, 5}, new int[] {1, 3, 2},
        new InetSocketAddress[] {new InetSocketAddress("127.0.0.1", 9001), new InetSocketAddress("127.0.0.1", 9002),
            new InetSocketAddress("127.0.0.1", 9003)});
    private static final int[] OPEN = new int[8];
    private static final LoadView LOAD = id -> OPEN[id];

    @Test
    void theBuiltInPoliciesAndACustomOneAllocateNothing()
    {
        for (final BalanceAlgorithm builtIn : BalanceAlgorithm.values())
        {
            assertEquals(0, AllocationCheck.bytesAllocated(builtIn, TARGETS, LOAD), builtIn.configName());
        }
        AllocationCheck.requireAllocationFree(new HeaviestPolicy(), TARGETS, LOAD);
    }

    @Test
    void aPolicyThatAllocatesFailsTheCheck()
    {
        final BalancingPolicy wasteful = (targets, load, seed) -> flowHash ->
        {
            final int[] copy = targets.ids();
            sink = copy;
            return copy[(int)Math.floorMod(flowHash, (long)copy.length)];
        };
        final AssertionError error = assertThrows(AssertionError.class,
            () -> AllocationCheck.requireAllocationFree(wasteful, TARGETS, LOAD));
        assertTrue(error.getMessage().contains("allocated"), error.getMessage());
        assertTrue(AllocationCheck.bytesAllocated(wasteful, TARGETS, LOAD) >= AllocationCheck.MEASURED_PICKS * 16L);
    }
}
