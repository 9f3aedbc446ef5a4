package io.portgate.balance;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MaglevTableTest extends BalancerPolicyContractTest
{
    private static final int KEY_COUNT = 500_000;

    BalanceAlgorithm algorithm()
    {
        return BalanceAlgorithm.MAGLEV;
    }

    boolean isKeyedByClient()
    {
        return true;
    }

    @Test
    void everyTableSizeIsPrimeAndGivesEachTargetEnoughEntries()
    {
        final TreeSet<Integer> sizes = new TreeSet<>();
        for (int targetCount = 1; targetCount <= 167_772; targetCount++)
        {
            final int size = MaglevTable.tableSizeFor(targetCount);
            assertTrue(size >= MaglevTable.MIN_ENTRIES_PER_TARGET * targetCount, () -> size + " entries too few");
            sizes.add(size);
        }

        assertEquals(MaglevTable.DEFAULT_TABLE_SIZE, MaglevTable.tableSizeFor(655));
        assertEquals(9, sizes.size());
        for (final int size : sizes)
        {
            assertTrue(BigInteger.valueOf(size).isProbablePrime(64), () -> size + " is not prime");
        }
        assertThrows(IllegalArgumentException.class, () -> MaglevTable.tableSizeFor(167_773));
    }

    @Test
    void builtTableHasPrimeSize()
    {
        final MaglevTable table = MaglevTable.build(IDS, WEIGHTS, keysOf(IDS));

        assertEquals(MaglevTable.DEFAULT_TABLE_SIZE, table.tableSize());
        assertEquals(1_009, MaglevTable.build(IDS, WEIGHTS, keysOf(IDS), 1_009).tableSize());
        assertThrows(IllegalArgumentException.class, () -> MaglevTable.build(IDS, WEIGHTS, keysOf(IDS), 1_000));
        assertThrows(IllegalArgumentException.class, () -> MaglevTable.build(IDS, WEIGHTS, keysOf(IDS), 3));
    }

    @Test
    void emptyTableHasNoTarget()
    {
        final MaglevTable table = MaglevTable.build(new int[0], new int[0], new long[0]);

        assertEquals(1, table.tableSize());
        assertEquals(BalancerPolicy.NO_TARGET, table.pick(42));
    }

    @Test
    void entriesAndSharesFollowWeights()
    {
        final MaglevTable table = MaglevTable.build(IDS, WEIGHTS, keysOf(IDS));
        final double[] entryShares = new double[IDS.length];
        for (int i = 0; i < table.tableSize(); i++)
        {
            entryShares[indexOf(IDS, table.entry(i))] += 1.0 / table.tableSize();
        }

        // Turns are handed out in proportion to weight, so the table is off by at most a few entries of 65537.
        assertSharesFollowWeights(entryShares, WEIGHTS, 0.001);
        // Keys add sampling error, below 0.05 percentage points over 1e6 keys; two points leaves a wide margin.
        assertSharesFollowWeights(shares(table, IDS, 1_000_000, 1), WEIGHTS, 0.02);
    }

    @Test
    void tableDependsOnlyOnTheSetOfTargets()
    {
        final int[] ids = { 0, 1, 2, 3, 4, 5 };
        final int[] weights = { 1, 2, 1, 3, 1, 2 };
        final int[] shuffledIds = { 4, 1, 5, 0, 3, 2 };
        final int[] shuffledWeights = { 1, 2, 2, 1, 3, 1 };

        assertSameTable(
            MaglevTable.build(ids, weights, keysOf(ids)),
            MaglevTable.build(shuffledIds, shuffledWeights, keysOf(shuffledIds)));
    }

    @ParameterizedTest
    @ValueSource(ints = { 5, 10 })
    void removingATargetMovesOnlyItsOwnKeys(final int targetCount)
    {
        final int[] ids = firstIds(targetCount);
        final int[] weights = equalWeights(targetCount);

        for (final int removed : ids)
        {
            final double movedShare = assertOnlyKeysOfRemovedTargetMove(ids, weights, removed);
            assertEquals(1.0 / targetCount, movedShare, 0.02, "share of all keys that moved");
        }
    }

    @Test
    void removingAWeightedTargetMovesOnlyItsOwnKeys()
    {
        final int[] ids = { 0, 1, 2, 3, 4 };
        final int[] weights = { 1, 2, 3, 4, 5 };

        for (int i = 0; i < ids.length; i++)
        {
            final double movedShare = assertOnlyKeysOfRemovedTargetMove(ids, weights, ids[i]);
            assertEquals(weights[i] / 15.0, movedShare, 0.02, "share of all keys that moved");
        }
    }

    @ParameterizedTest
    @ValueSource(ints = { 5, 10 })
    void addingATargetBackRestoresTheTable(final int targetCount)
    {
        final int[] ids = firstIds(targetCount);
        final MaglevTable original = MaglevTable.build(ids, equalWeights(targetCount), keysOf(ids));

        final int[] remainingIds = without(ids, 2);
        MaglevTable.build(remainingIds, equalWeights(targetCount - 1), keysOf(remainingIds));
        final int[] restoredIds = new int[targetCount];
        System.arraycopy(remainingIds, 0, restoredIds, 0, remainingIds.length);
        restoredIds[targetCount - 1] = 2;

        assertSameTable(original, MaglevTable.build(restoredIds, equalWeights(targetCount), keysOf(restoredIds)));
    }

    @Test
    void keysByIdWhenNoKeysAreGiven()
    {
        final BalancerPolicy byFactory = BalancerPolicies.create(BalanceAlgorithm.MAGLEV, IDS, WEIGHTS, null, 1);
        final long[] idKeys = new long[IDS.length];
        for (int i = 0; i < IDS.length; i++)
        {
            idKeys[i] = Hashing.targetKey(IDS[i]);
        }

        assertSameTable((MaglevTable)byFactory, MaglevTable.build(IDS, WEIGHTS, idKeys));
    }

    /**
     * Removes a target and checks that keys of the remaining targets stay put, but for a small fraction that Maglev
     * reshuffles (the paper's "minimal disruption" is a goal, not a guarantee).
     *
     * @return the share of all keys that moved.
     */
    private static double assertOnlyKeysOfRemovedTargetMove(final int[] ids, final int[] weights, final int removed)
    {
        final MaglevTable full = MaglevTable.build(ids, weights, keysOf(ids));
        final int[] remainingIds = without(ids, removed);
        final int[] remainingWeights = new int[remainingIds.length];
        for (int i = 0; i < remainingIds.length; i++)
        {
            remainingWeights[i] = weights[indexOf(ids, remainingIds[i])];
        }
        final MaglevTable reduced = MaglevTable.build(remainingIds, remainingWeights, keysOf(remainingIds));

        int moved = 0;
        int onRemaining = 0;
        int movedFromRemaining = 0;
        final SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < KEY_COUNT; i++)
        {
            final long client = random.nextLong();
            final int before = full.pick(client);
            final int after = reduced.pick(client);
            if (before != after)
            {
                moved++;
            }
            if (before != removed)
            {
                onRemaining++;
                if (before != after)
                {
                    movedFromRemaining++;
                }
            }
        }

        final double movedFromRemainingShare = (double)movedFromRemaining / onRemaining;
        assertTrue(
            movedFromRemainingShare < 0.02,
            () -> movedFromRemainingShare + " of the keys of the remaining targets moved when " + removed + " left");

        return (double)moved / KEY_COUNT;
    }

    /**
     * Keys the targets by address and port, as the conductor does, with target id {@code i} at 10.0.0.{@code i}.
     */
    private static long[] keysOf(final int[] targetIds)
    {
        final long[] keys = new long[targetIds.length];
        for (int i = 0; i < targetIds.length; i++)
        {
            try
            {
                final InetAddress address = InetAddress.getByAddress(new byte[]{ 10, 0, 0, (byte)targetIds[i] });
                keys[i] = Hashing.targetKey(new InetSocketAddress(address, 8080));
            }
            catch (final UnknownHostException ex)
            {
                throw new AssertionError(ex);
            }
        }

        return keys;
    }

    private static void assertSameTable(final MaglevTable expected, final MaglevTable actual)
    {
        assertEquals(expected.tableSize(), actual.tableSize());
        for (int i = 0; i < expected.tableSize(); i++)
        {
            assertEquals(expected.entry(i), actual.entry(i), "entry " + i);
        }
    }

    private static int[] firstIds(final int count)
    {
        final int[] ids = new int[count];
        for (int i = 0; i < count; i++)
        {
            ids[i] = i;
        }

        return ids;
    }

    private static int[] equalWeights(final int count)
    {
        final int[] weights = new int[count];
        Arrays.fill(weights, 1);

        return weights;
    }

    private static int[] without(final int[] ids, final int removed)
    {
        final int[] remaining = new int[ids.length - 1];
        int next = 0;
        for (final int id : ids)
        {
            if (id != removed)
            {
                remaining[next++] = id;
            }
        }

        return remaining;
    }
}
