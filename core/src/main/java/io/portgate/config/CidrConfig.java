package io.portgate.config;

import io.portgate.access.CidrList;

import java.util.List;

/**
 * A list of CIDR blocks as the configuration file writes it ({@code allow}, {@code deny}, {@code trusted-proxies},
 * {@code admin-allow}): the entries as text and where each one is written, so that every finding about an entry
 * names its file, line and column. Two lists are equal when their entries are ({@link #equals} ignores positions),
 * so a reload that only moves a list compares as unchanged.
 *
 * @param name      the key, e.g. {@code deny}.
 * @param entries   the entries as written.
 * @param positions where each entry is written, one per entry ({@link Position#NONE} in code).
 * @param position  where the key's value is written.
 */
public record CidrConfig(String name, List<String> entries, List<Position> positions, Position position)
{
    /**
     * Copies the lists.
     */
    public CidrConfig
    {
        entries = List.copyOf(entries);
        positions = List.copyOf(positions);
    }

    /**
     * A list built in code.
     *
     * @param name    the key.
     * @param entries the entries.
     * @return the list.
     */
    public static CidrConfig of(final String name, final String... entries)
    {
        return new CidrConfig(name, List.of(entries), java.util.Collections.nCopies(entries.length, Position.NONE),
            Position.NONE);
    }

    /**
     * The entries parsed (allocates; off the hot path). Outside this package, {@link CidrList#parse} of
     * {@link #name()} and {@link #entries()}: the parsed form is not part of the exported API.
     *
     * @return the parsed list with its findings.
     */
    CidrList parsed()
    {
        return CidrList.parse(name, entries);
    }

    /**
     * Where an entry is written.
     *
     * @param index the entry.
     * @return its position, or the list's when unknown.
     */
    public Position positionOf(final int index)
    {
        return index >= 0 && index < positions.size() && positions.get(index).isKnown() ? positions.get(index) :
            position;
    }

    @Override
    public boolean equals(final Object other)
    {
        return other instanceof CidrConfig c && c.name.equals(name) && c.entries.equals(entries);
    }

    @Override
    public int hashCode()
    {
        return name.hashCode() * 31 + entries.hashCode();
    }

    @Override
    public String toString()
    {
        return entries.toString();
    }
}
