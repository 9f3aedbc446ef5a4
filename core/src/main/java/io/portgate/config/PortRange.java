package io.portgate.config;

/**
 * An inclusive range of ports, one port when {@code first == last}.
 *
 * @param first the first port.
 * @param last  the last port, not below first.
 */
public record PortRange(int first, int last)
{
    /** The lowest port a listener or target may use. */
    public static final int MIN_PORT = 1;
    /** The highest port. */
    public static final int MAX_PORT = 65535;

    /**
     * Checks the bounds.
     *
     * @param first the first port.
     * @param last  the last port.
     */
    public PortRange
    {
        if (first < MIN_PORT || last > MAX_PORT || last < first)
        {
            throw new IllegalArgumentException("invalid port range " + first + "-" + last);
        }
    }

    /**
     * A single port.
     *
     * @param port the port.
     * @return the range holding only that port.
     */
    public static PortRange of(final int port)
    {
        return new PortRange(port, port);
    }

    /**
     * How many ports the range holds.
     *
     * @return last - first + 1.
     */
    public int size()
    {
        return last - first + 1;
    }

    /**
     * Whether the range is a single port.
     *
     * @return true for one port.
     */
    public boolean isSingle()
    {
        return first == last;
    }

    /**
     * Whether a port lies in the range.
     *
     * @param port the port.
     * @return true when first &lt;= port &lt;= last.
     */
    public boolean contains(final int port)
    {
        return port >= first && port <= last;
    }

    /**
     * Whether two ranges share a port.
     *
     * @param other the other range.
     * @return true when they overlap.
     */
    public boolean overlaps(final PortRange other)
    {
        return first <= other.last && other.first <= last;
    }

    /**
     * The port at an offset from the first, for mapping a listener range onto a pool range.
     *
     * @param offset 0-based offset.
     * @return first + offset, or the single port when the range holds one port.
     */
    public int portAt(final int offset)
    {
        return isSingle() ? first : first + offset;
    }

    @Override
    public String toString()
    {
        return isSingle() ? Integer.toString(first) : first + "-" + last;
    }
}
