package io.portgate.balance;

import java.util.Arrays;
import java.util.Comparator;

/**
 * Maglev consistent hashing (Eisenbud et al., "Maglev: A Fast and Reliable Software Network Load Balancer",
 * NSDI 2016) with weights: a lookup table of prime size in which each target owns a share of entries proportional to
 * its weight, and a client's hash picks an entry.
 * <p>
 * Each target walks its own permutation of the table, {@code (offset + j * skip) mod size}, with offset and skip
 * derived from the target's stable key, and the targets take turns claiming the next free entry of their walk. A
 * heavier target takes turns more often, as in Envoy: a target whose weight is a third of the largest takes a turn
 * every third round. The table depends only on the set of (key, weight) pairs, not on the order they are given in,
 * so when a target leaves, almost only its own entries change hands and adding it back restores the table exactly.
 * <p>
 * Building costs about {@code size * log(size)} steps and is done by the conductor. The table is immutable, so one
 * instance may be handed to every forwarder loop; at the default size it takes 256 KiB, which is worth sharing.
 */
public final class MaglevTable implements BalancerPolicy
{
    /**
     * The table size for pools of up to {@code DEFAULT_TABLE_SIZE / MIN_ENTRIES_PER_TARGET} targets, as in the paper.
     */
    public static final int DEFAULT_TABLE_SIZE = 65_537;

    /**
     * The paper keeps the table at least this many times larger than the number of targets, which keeps the shares
     * of equally weighted targets within about one percent of each other.
     */
    public static final int MIN_ENTRIES_PER_TARGET = 100;

    // Primes, roughly doubling, so a larger pool gets a table that is prime as the permutations require.
    private static final int[] TABLE_SIZES =
    {
        DEFAULT_TABLE_SIZE, 131_071, 262_139, 524_287, 1_048_573, 2_097_143, 4_194_301, 8_388_593, 16_777_213
    };

    private static final long OFFSET_SALT = 0x6A09_E667_F3BC_C908L;
    private static final long SKIP_SALT = 0xBB67_AE85_84CA_A73BL;
    private static final int FREE = -1;

    private final int[] entries;

    private MaglevTable(final int[] entries)
    {
        this.entries = entries;
    }

    /**
     * The prime table size for a number of targets: the smallest listed prime that gives every target at least
     * {@link #MIN_ENTRIES_PER_TARGET} entries, and never less than {@link #DEFAULT_TABLE_SIZE}.
     *
     * @param targetCount the number of eligible targets.
     * @return the table size.
     * @throws IllegalArgumentException when the pool is too large for the largest listed size.
     */
    public static int tableSizeFor(final int targetCount)
    {
        final long needed = (long)targetCount * MIN_ENTRIES_PER_TARGET;
        for (final int size : TABLE_SIZES)
        {
            if (size >= needed)
            {
                return size;
            }
        }

        throw new IllegalArgumentException("a Maglev table for " + targetCount + " targets would need more than " +
            TABLE_SIZES[TABLE_SIZES.length - 1] + " entries; split the pool");
    }

    /**
     * Builds the table for a pool, sized by {@link #tableSizeFor(int)}.
     *
     * @param targetIds  the stable ids of the eligible targets, distinct and not negative.
     * @param weights    the weight of each target, at least 1.
     * @param targetKeys a stable key per target, for example {@link Hashing#targetKey(java.net.InetSocketAddress)}.
     * @return the table.
     */
    public static MaglevTable build(final int[] targetIds, final int[] weights, final long[] targetKeys)
    {
        return build(targetIds, weights, targetKeys, tableSizeFor(targetIds.length));
    }

    /**
     * Builds the table for a pool with a given size.
     *
     * @param targetIds  the stable ids of the eligible targets, distinct and not negative.
     * @param weights    the weight of each target, at least 1.
     * @param targetKeys a stable key per target, for example {@link Hashing#targetKey(java.net.InetSocketAddress)}.
     * @param tableSize  a prime no smaller than the number of targets.
     * @return the table. For an empty pool it has one entry, {@link #NO_TARGET}.
     */
    public static MaglevTable build(
        final int[] targetIds, final int[] weights, final long[] targetKeys, final int tableSize)
    {
        BalancerPolicies.validate(targetIds, weights);
        if (targetKeys.length != targetIds.length)
        {
            throw new IllegalArgumentException(
                "targetKeys has " + targetKeys.length + " entries for " + targetIds.length + " targets");
        }
        if (0 == targetIds.length)
        {
            // One entry, so pick needs no emptiness check: every hash reduces to index 0.
            return new MaglevTable(new int[]{ NO_TARGET });
        }
        if (tableSize < targetIds.length || !isPrime(tableSize))
        {
            throw new IllegalArgumentException(
                "Maglev table size must be a prime no smaller than the " + targetIds.length + " targets: " + tableSize);
        }

        return new MaglevTable(populate(targetIds, weights, targetKeys, tableSize));
    }

    /**
     * Picks the target that owns the client's entry. Immutable state, so safe from any thread.
     *
     * @param hashKey a hash of the client; it is mixed here.
     * @return the stable id of the target, or {@link #NO_TARGET} for an empty pool.
     */
    public int pick(final long hashKey)
    {
        final int[] entries = this.entries;

        return entries[Hashing.reduce(Hashing.mix64(hashKey), entries.length)];
    }

    /**
     * The number of entries in the table.
     *
     * @return the table size, a prime, or 1 for an empty pool.
     */
    public int tableSize()
    {
        return entries.length;
    }

    /**
     * The target that owns an entry, for tests and for showing the table's shares.
     *
     * @param index of the entry, in {@code [0, tableSize())}.
     * @return the stable id of the target that owns the entry.
     */
    public int entry(final int index)
    {
        return entries[index];
    }

    private static int[] populate(
        final int[] targetIds, final int[] weights, final long[] targetKeys, final int tableSize)
    {
        final int count = targetIds.length;
        final int[] order = turnOrder(targetIds, targetKeys);
        final int[] ids = new int[count];
        final long[] turnWeights = new long[count];
        final int[] positions = new int[count];
        final int[] skips = new int[count];
        long maxWeight = 0;
        for (int i = 0; i < count; i++)
        {
            final int source = order[i];
            final long key = targetKeys[source];
            ids[i] = targetIds[source];
            turnWeights[i] = weights[source];
            positions[i] = (int)Long.remainderUnsigned(Hashing.mix64(key ^ OFFSET_SALT), tableSize);
            skips[i] = (int)Long.remainderUnsigned(Hashing.mix64(key ^ SKIP_SALT), tableSize - 1) + 1;
            maxWeight = Math.max(maxWeight, weights[source]);
        }

        final int[] entries = new int[tableSize];
        Arrays.fill(entries, FREE);
        final long[] turnsTaken = new long[count];
        int filled = 0;
        for (long round = 0; filled < tableSize; round++)
        {
            for (int i = 0; i < count && filled < tableSize; i++)
            {
                // A target takes its n-th turn once round * weight reaches n * maxWeight: the heaviest every round.
                if (round * turnWeights[i] < turnsTaken[i] * maxWeight)
                {
                    continue;
                }
                turnsTaken[i]++;

                int position = positions[i];
                while (FREE != entries[position])
                {
                    position = advance(position, skips[i], tableSize);
                }
                entries[position] = ids[i];
                positions[i] = advance(position, skips[i], tableSize);
                filled++;
            }
        }

        return entries;
    }

    /**
     * Which target takes the i-th turn in a round. Turn order decides contested entries, so it is fixed by key, then
     * id, rather than by the order the conductor happens to list the targets in.
     */
    private static int[] turnOrder(final int[] targetIds, final long[] targetKeys)
    {
        final Integer[] order = new Integer[targetIds.length];
        for (int i = 0; i < order.length; i++)
        {
            order[i] = i;
        }
        Arrays.sort(order, Comparator
            .comparingLong((Integer i) -> targetKeys[i])
            .thenComparingInt(i -> targetIds[i]));

        final int[] indexes = new int[order.length];
        for (int i = 0; i < order.length; i++)
        {
            indexes[i] = order[i];
        }

        return indexes;
    }

    private static int advance(final int position, final int skip, final int tableSize)
    {
        final int next = position + skip;

        return next >= tableSize ? next - tableSize : next;
    }

    private static boolean isPrime(final int value)
    {
        if (value < 2)
        {
            return false;
        }
        for (int divisor = 2; (long)divisor * divisor <= value; divisor++)
        {
            if (0 == value % divisor)
            {
                return false;
            }
        }

        return true;
    }
}
