package io.portgate.access;

import io.portgate.net.Ip;

/**
 * One parsed CIDR block: a network and a prefix length in its own family, with its place in the list it came from.
 * IPv4 blocks are held in the mapped space ({@code 10.0.0.0/8} is {@code ::ffff:10.0.0.0/104}), so every block is
 * a range of 128-bit addresses, from {@link #firstHigh()}/{@link #firstLow()} to {@link #lastHigh()}/{@link #lastLow()}.
 * An IPv6 block written in mapped form with a prefix of 96 or more ({@code ::ffff:10.0.0.0/104}) is an IPv4 block.
 *
 * @param index        the entry's position in its list, from 0.
 * @param text         the entry as written.
 * @param ipv4         whether it is an IPv4 block (matched by IPv4 clients only).
 * @param high         the network's high 64 bits (host bits cleared).
 * @param low          the network's low 64 bits (host bits cleared; IPv4 in mapped form).
 * @param prefixLength the prefix length in the block's family: 0-32 for IPv4, 0-128 for IPv6.
 */
public record Cidr(int index, String text, boolean ipv4, long high, long low, int prefixLength)
{
    /** The bits of mapped space above an IPv4 address. */
    static final int IPV4_MAPPED_BITS = 96;

    /**
     * The prefix length in the 128-bit space.
     *
     * @return {@link #prefixLength()} plus 96 for IPv4.
     */
    public int bits()
    {
        return ipv4 ? IPV4_MAPPED_BITS + prefixLength : prefixLength;
    }

    /** @return the first address's high 64 bits. */
    public long firstHigh()
    {
        return high;
    }

    /** @return the first address's low 64 bits. */
    public long firstLow()
    {
        return low;
    }

    /** @return the last address's high 64 bits. */
    public long lastHigh()
    {
        return high | ~maskHigh(bits());
    }

    /** @return the last address's low 64 bits. */
    public long lastLow()
    {
        return low | ~maskLow(bits());
    }

    /**
     * Whether this block holds every address of another block of the same family.
     *
     * @param other a block.
     * @return true when it is equal to or inside this one.
     */
    public boolean encloses(final Cidr other)
    {
        return ipv4 == other.ipv4 && prefixLength <= other.prefixLength &&
            (other.high & maskHigh(bits())) == high && (other.low & maskLow(bits())) == low;
    }

    /**
     * The canonical form, e.g. {@code 10.0.0.0/8} or {@code 2001:db8::/32}.
     *
     * @return the network and prefix length.
     */
    public String canonical()
    {
        return Ip.toString(high, low) + "/" + prefixLength;
    }

    /**
     * The high half of a 128-bit prefix mask.
     *
     * @param bits the prefix length, 0-128.
     * @return the mask's high 64 bits.
     */
    static long maskHigh(final int bits)
    {
        if (bits >= 64)
        {
            return -1L;
        }
        return bits == 0 ? 0 : -1L << (64 - bits);
    }

    /**
     * The low half of a 128-bit prefix mask.
     *
     * @param bits the prefix length, 0-128.
     * @return the mask's low 64 bits.
     */
    static long maskLow(final int bits)
    {
        if (bits <= 64)
        {
            return 0;
        }
        return bits == 128 ? -1L : -1L << (128 - bits);
    }
}
