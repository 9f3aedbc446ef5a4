package io.portgate.access;

import io.portgate.net.Ip;

import java.util.List;

/**
 * A listener's {@code allow} and {@code deny} lists, compiled: deny wins; when an allow list is set, every source it
 * does not hold is refused. Immutable and lock-free: build one per configuration, off the hot path, and share it
 * between workers; a reload builds a new one and swaps the reference.
 *
 * <p>A check answers an int code, {@link #ALLOWED}, {@link #DENIED} or {@link #NOT_ALLOWED}, which the data path
 * counts by code ({@link #reasonName(int)} names them). It runs on the client's real address: the one from a PROXY
 * header when the listener accepts them and the sender is trusted.
 */
public final class AccessRules
{
    /** The source may connect. */
    public static final int ALLOWED = 0;
    /** The source lies in a deny block. */
    public static final int DENIED = 1;
    /** An allow list is set and the source lies in none of its blocks. */
    public static final int NOT_ALLOWED = 2;
    /** The largest code; size a counter array {@code MAX_CODE + 1}. */
    public static final int MAX_CODE = 2;

    /** Rules that let everyone in: no allow list, no deny list. */
    public static final AccessRules ALLOW_ALL = new AccessRules(null, CidrTable.EMPTY);

    private static final String[] NAMES = { "allowed", "denied", "not_allowed" };

    private final CidrTable allow;
    private final CidrTable deny;

    private AccessRules(final CidrTable allow, final CidrTable deny)
    {
        this.allow = allow;
        this.deny = deny;
    }

    /**
     * Compiles rules from parsed lists.
     *
     * @param allow the allow list, or null when the listener has none (an empty list refuses everyone).
     * @param deny  the deny list, or null when the listener has none.
     * @return the rules.
     * @throws IllegalArgumentException when a list has errors: a running configuration must not drop an entry.
     */
    public static AccessRules of(final CidrList allow, final CidrList deny)
    {
        for (final CidrList list : new CidrList[]{ allow, deny })
        {
            if (list != null && list.hasErrors())
            {
                throw new IllegalArgumentException("the " + list.name() + " list has errors: " + list.findings());
            }
        }
        return of(allow == null ? null : allow.table(), deny == null ? null : deny.table());
    }

    /**
     * Rules from compiled tables.
     *
     * @param allow the allow table, or null for none.
     * @param deny  the deny table, or null for none.
     * @return the rules.
     */
    public static AccessRules of(final CidrTable allow, final CidrTable deny)
    {
        return new AccessRules(allow, deny == null ? CidrTable.EMPTY : deny);
    }

    /**
     * The notes about allow and deny blocks that overlap, for {@code check}: a deny block inside an allow block, an
     * allow block inside or equal to a deny block.
     *
     * @param allow the allow list, or null.
     * @param deny  the deny list, or null.
     * @return the notes, allow entries first.
     */
    public static List<CidrFinding> overlaps(final CidrList allow, final CidrList deny)
    {
        return CidrList.findAllowDenyOverlaps(allow, deny);
    }

    /**
     * Checks a source.
     *
     * @param high the address's high 64 bits.
     * @param low  its low 64 bits (IPv4 in mapped form).
     * @return {@link #ALLOWED}, {@link #DENIED} or {@link #NOT_ALLOWED}.
     */
    public int check(final long high, final long low)
    {
        if (deny.contains(high, low))
        {
            return DENIED;
        }
        if (allow != null && !allow.contains(high, low))
        {
            return NOT_ALLOWED;
        }
        return ALLOWED;
    }

    /**
     * Checks an IPv4 source.
     *
     * @param ipv4 the address as an int.
     * @return {@link #ALLOWED}, {@link #DENIED} or {@link #NOT_ALLOWED}.
     */
    public int check4(final int ipv4)
    {
        return check(0, Ip.mappedLow(ipv4));
    }

    /**
     * Whether the rules can refuse anyone; when not, a caller may skip the check.
     *
     * @return false for {@link #ALLOW_ALL} and its equivalents.
     */
    public boolean restricts()
    {
        return allow != null || !deny.isEmpty();
    }

    /**
     * The counter name of a code.
     *
     * @param code {@link #ALLOWED}, {@link #DENIED} or {@link #NOT_ALLOWED}.
     * @return {@code allowed}, {@code denied} or {@code not_allowed}.
     */
    public static String reasonName(final int code)
    {
        if (code < 0 || code > MAX_CODE)
        {
            throw new IllegalArgumentException("no access rule verdict has code " + code);
        }
        return NAMES[code];
    }
}
