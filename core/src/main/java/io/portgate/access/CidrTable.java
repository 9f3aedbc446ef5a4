package io.portgate.access;

import io.portgate.net.Ip;

import java.util.ArrayList;
import java.util.List;

/**
 * A compiled CIDR list: per family, the blocks merged into sorted, disjoint ranges, searched by binary search. A
 * lookup is {@code log2(ranges)} steps over primitive arrays (10 for 1,000 blocks), allocates nothing and takes no
 * lock; the table is immutable, so any number of workers share one.
 *
 * <p>IPv4 clients (addresses in mapped form, as {@link Ip} holds them, whether they came on an IPv4 socket or on a
 * dual-stack IPv6 one) are matched against the IPv4 blocks only, IPv6 clients against the IPv6 blocks only; so
 * {@code ::/0} means every IPv6 client and {@code 0.0.0.0/0} every IPv4 client, as in nginx.
 */
public final class CidrTable
{
    /** A table that contains nothing. */
    public static final CidrTable EMPTY = new CidrTable(List.of());

    private static final long SIGN = Long.MIN_VALUE;

    // Range bounds are stored with the sign bit flipped, so signed comparisons order them as unsigned numbers.
    private final int[] ipv4First;
    private final int[] ipv4Last;
    private final long[] ipv6FirstHigh;
    private final long[] ipv6FirstLow;
    private final long[] ipv6LastHigh;
    private final long[] ipv6LastLow;
    private final int blocks;

    /**
     * Compiles blocks.
     *
     * @param blocks parsed blocks, in any order, overlapping or not.
     */
    public CidrTable(final List<Cidr> blocks)
    {
        this.blocks = blocks.size();
        final List<Cidr> sorted = new ArrayList<>(blocks);
        sorted.sort(CidrList.BY_RANGE);
        final List<long[]> ipv4 = new ArrayList<>();
        final List<long[]> ipv6 = new ArrayList<>();
        for (final Cidr cidr : sorted)
        {
            final List<long[]> ranges = cidr.ipv4() ? ipv4 : ipv6;
            final long[] range = { cidr.firstHigh(), cidr.firstLow(), cidr.lastHigh(), cidr.lastLow() };
            if (!ranges.isEmpty() && startsWithinOrRightAfter(range, ranges.getLast()))
            {
                final long[] last = ranges.getLast();
                if (compare(range[2], range[3], last[2], last[3]) > 0)
                {
                    last[2] = range[2];
                    last[3] = range[3];
                }
            }
            else
            {
                ranges.add(range);
            }
        }
        ipv4First = new int[ipv4.size()];
        ipv4Last = new int[ipv4.size()];
        for (int i = 0; i < ipv4First.length; i++)
        {
            ipv4First[i] = (int)ipv4.get(i)[1] ^ Integer.MIN_VALUE;
            ipv4Last[i] = (int)ipv4.get(i)[3] ^ Integer.MIN_VALUE;
        }
        ipv6FirstHigh = new long[ipv6.size()];
        ipv6FirstLow = new long[ipv6.size()];
        ipv6LastHigh = new long[ipv6.size()];
        ipv6LastLow = new long[ipv6.size()];
        for (int i = 0; i < ipv6FirstHigh.length; i++)
        {
            final long[] range = ipv6.get(i);
            ipv6FirstHigh[i] = range[0] ^ SIGN;
            ipv6FirstLow[i] = range[1] ^ SIGN;
            ipv6LastHigh[i] = range[2] ^ SIGN;
            ipv6LastLow[i] = range[3] ^ SIGN;
        }
    }

    /**
     * Whether an address lies in any block.
     *
     * @param high the address's high 64 bits.
     * @param low  its low 64 bits (IPv4 in mapped form).
     * @return true when a block of its family holds it.
     */
    public boolean contains(final long high, final long low)
    {
        if (Ip.isIpv4(high, low))
        {
            return contains4(Ip.ipv4(low));
        }
        return contains6(high, low);
    }

    /**
     * Whether an IPv4 address lies in any IPv4 block.
     *
     * @param ipv4 the address as an int.
     * @return true when a block holds it.
     */
    public boolean contains4(final int ipv4)
    {
        final int key = ipv4 ^ Integer.MIN_VALUE;
        final int[] first = ipv4First;
        // The last range starting at or before the key.
        int lo = 0;
        int hi = first.length - 1;
        while (lo <= hi)
        {
            final int mid = (lo + hi) >>> 1;
            if (first[mid] <= key)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }
        return hi >= 0 && key <= ipv4Last[hi];
    }

    private boolean contains6(final long high, final long low)
    {
        final long keyHigh = high ^ SIGN;
        final long keyLow = low ^ SIGN;
        final long[] firstHigh = ipv6FirstHigh;
        final long[] firstLow = ipv6FirstLow;
        int lo = 0;
        int hi = firstHigh.length - 1;
        while (lo <= hi)
        {
            final int mid = (lo + hi) >>> 1;
            final long h = firstHigh[mid];
            if (h < keyHigh || (h == keyHigh && firstLow[mid] <= keyLow))
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }
        if (hi < 0)
        {
            return false;
        }
        final long lastHigh = ipv6LastHigh[hi];
        return keyHigh < lastHigh || (keyHigh == lastHigh && keyLow <= ipv6LastLow[hi]);
    }

    /** @return whether no block was compiled in. */
    public boolean isEmpty()
    {
        return blocks == 0;
    }

    /** @return how many blocks were compiled in. */
    public int blockCount()
    {
        return blocks;
    }

    /** @return how many disjoint ranges the blocks merged into, both families. */
    public int rangeCount()
    {
        return ipv4First.length + ipv6FirstHigh.length;
    }

    private static boolean startsWithinOrRightAfter(final long[] range, final long[] previous)
    {
        // previous.last + 1, with the carry into the high half.
        final long nextLow = previous[3] + 1;
        final long nextHigh = nextLow == 0 ? previous[2] + 1 : previous[2];
        final boolean previousEndsAtTop = previous[2] == -1L && previous[3] == -1L;
        return previousEndsAtTop || compare(range[0], range[1], nextHigh, nextLow) <= 0;
    }

    private static int compare(final long aHigh, final long aLow, final long bHigh, final long bLow)
    {
        final int high = Long.compareUnsigned(aHigh, bHigh);
        return high != 0 ? high : Long.compareUnsigned(aLow, bLow);
    }
}
