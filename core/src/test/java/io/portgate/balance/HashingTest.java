package io.portgate.balance;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HashingTest
{
    @Test
    void reduceStaysInRange()
    {
        final long[] hashes = { 0, 1, -1, Long.MIN_VALUE, Long.MAX_VALUE, 0xFFFF_FFFF_0000_0000L };
        final int[] ranges = { 1, 2, 7, 65_537, Integer.MAX_VALUE };
        for (final long hash : hashes)
        {
            for (final int range : ranges)
            {
                final int reduced = Hashing.reduce(hash, range);
                assertTrue(reduced >= 0 && reduced < range, () -> hash + " reduced to " + reduced + " of " + range);
            }
        }
    }

    @Test
    void mixSpreadsSequentialKeysOverBuckets()
    {
        final int buckets = 16;
        final int[] counts = new int[buckets];
        for (long key = 0; key < 160_000; key++)
        {
            counts[Hashing.reduce(Hashing.mix64(key), buckets)]++;
        }
        for (final int count : counts)
        {
            assertEquals(10_000, count, 500);
        }
    }

    @Test
    void targetKeyIsStableAndTellsAddressesAndPortsApart() throws Exception
    {
        final InetAddress address = InetAddress.getByAddress(new byte[]{ 10, 0, 0, 1 });
        final InetAddress other = InetAddress.getByAddress(new byte[]{ 10, 0, 0, 2 });

        assertEquals(
            Hashing.targetKey(new InetSocketAddress(address, 80)),
            Hashing.targetKey(new InetSocketAddress(address, 80)));
        assertNotEquals(
            Hashing.targetKey(new InetSocketAddress(address, 80)),
            Hashing.targetKey(new InetSocketAddress(address, 81)));
        assertNotEquals(
            Hashing.targetKey(new InetSocketAddress(address, 80)),
            Hashing.targetKey(new InetSocketAddress(other, 80)));
        assertEquals(
            Hashing.targetKey(InetSocketAddress.createUnresolved("backend.internal", 80)),
            Hashing.targetKey(InetSocketAddress.createUnresolved("backend.internal", 80)));
    }

    @Test
    void targetKeysOfIdsAreDistinct()
    {
        final Set<Long> keys = new HashSet<>();
        for (int id = 0; id < 10_000; id++)
        {
            keys.add(Hashing.targetKey(id));
        }

        assertEquals(10_000, keys.size());
    }
}
