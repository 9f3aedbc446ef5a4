package io.portgate.access;

/**
 * Something worth telling about an entry of a CIDR list, shaped for the configuration validator: it knows where
 * each list entry sits in the file and turns a finding into a {@code file:line:col} diagnostic by adding
 * {@link #column()} to the entry's own column.
 *
 * @param level        how serious it is.
 * @param kind         what it is, for tests and tools.
 * @param list         the list's name as given to {@link CidrList#parse}, e.g. {@code allow}.
 * @param index        the entry's position in the list, from 0.
 * @param column       where in the entry's text the problem starts, from 0 (0 for the whole entry).
 * @param message      what is wrong or worth knowing, naming the entry.
 * @param hint         how to fix it, or null.
 * @param relatedList  the list of the other entry involved in an overlap, or null.
 * @param relatedIndex that entry's position, or -1.
 */
public record CidrFinding(Level level, Kind kind, String list, int index, int column, String message, String hint,
    String relatedList, int relatedIndex)
{
    /** How serious a finding is; the same three steps as the configuration's diagnostics. */
    public enum Level
    {
        /** The entry cannot be used; the list must not be compiled into a running configuration. */
        ERROR,
        /** The entry works, but probably not as meant. */
        WARNING,
        /** Nothing wrong; worth knowing. */
        NOTE
    }

    /** What a finding is about. */
    public enum Kind
    {
        /** Neither an IPv4 nor an IPv6 address (an error). */
        INVALID_ADDRESS,
        /** A prefix length that is no number or too long for the family, e.g. {@code /33} (an error). */
        INVALID_PREFIX,
        /** Bits set below the prefix, e.g. {@code 10.0.0.1/8}, which means {@code 10.0.0.0/8} (a warning). */
        HOST_BITS_SET,
        /** The same block twice in one list (a note). */
        DUPLICATE,
        /** A block inside another block of the same list, so it adds nothing (a note). */
        REDUNDANT,
        /** An allow block and a deny block overlap (a note; deny wins). */
        ALLOW_DENY_OVERLAP,
        /** An IPv6 block that covers the IPv4-mapped range, which IPv4 clients never match (a note). */
        IPV6_BLOCK_SKIPS_IPV4
    }

    /**
     * A one-line rendering for messages and tests, e.g. {@code allow[2]: warning: ...}.
     *
     * @return the finding as text.
     */
    @Override
    public String toString()
    {
        return list + "[" + index + "]:" + column + ": " + level.name().toLowerCase(java.util.Locale.ROOT) + ": " +
            message + (hint == null ? "" : "; " + hint);
    }
}
