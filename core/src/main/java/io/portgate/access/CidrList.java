package io.portgate.access;

import io.portgate.net.Ip;
import io.portgate.net.IpText;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;

/**
 * A configured list of CIDR blocks, parsed: the entries that are usable and the findings about all of them. Parsing
 * never throws; every problem is a {@link CidrFinding} with the entry's index and a column within its text, so the
 * configuration validator can report all of them with their positions at once. An immutable value; built off the
 * hot path.
 *
 * <p>Accepted forms: {@code 10.0.0.0/8}, {@code 2001:db8::/32}, {@code 0.0.0.0/0}, {@code ::/0}, and single
 * addresses ({@code 10.0.0.1} is {@code 10.0.0.1/32}, {@code ::1} is {@code ::1/128}). Findings:
 * <ul>
 *   <li>error: not an address ({@code 10.0.0.256/8}, {@code db8::/32x}), a prefix length that is no number or too long
 *       ({@code 10.0.0.0/33}, {@code ::/129}), an empty entry;</li>
 *   <li>warning: host bits set ({@code 10.0.0.1/8}): the entry is used as {@code 10.0.0.0/8};</li>
 *   <li>note: the same block twice, a block inside another one of the list (it adds nothing), an IPv6 block covering
 *       the IPv4-mapped range in a list with no IPv4 entry (IPv4 clients match IPv4 entries only).</li>
 * </ul>
 */
public final class CidrList
{
    /** Sorts blocks by family, first address, then widest first. */
    static final Comparator<Cidr> BY_RANGE_ONLY = Comparator
        .comparing(Cidr::ipv4)
        .thenComparing((a, b) ->
        {
            final int high = Long.compareUnsigned(a.firstHigh(), b.firstHigh());
            return high != 0 ? high : Long.compareUnsigned(a.firstLow(), b.firstLow());
        })
        .thenComparingInt(Cidr::prefixLength);
    /** As {@link #BY_RANGE_ONLY}, then list order. */
    static final Comparator<Cidr> BY_RANGE = BY_RANGE_ONLY.thenComparingInt(Cidr::index);

    private final String name;
    private final List<Cidr> entries;
    private final List<CidrFinding> findings;
    private CidrTable table;

    private CidrList(final String name, final List<Cidr> entries, final List<CidrFinding> findings)
    {
        this.name = name;
        this.entries = List.copyOf(entries);
        this.findings = List.copyOf(findings);
    }

    /**
     * Parses a list.
     *
     * @param name    the list's name for findings, e.g. {@code allow} or {@code deny}.
     * @param entries the entries as written.
     * @return the parsed list with its findings.
     */
    public static CidrList parse(final String name, final List<String> entries)
    {
        final List<Cidr> parsed = new ArrayList<>();
        final List<CidrFinding> findings = new ArrayList<>();
        final IpText ipText = new IpText();
        for (int i = 0; i < entries.size(); i++)
        {
            final Cidr cidr = parseEntry(name, i, entries.get(i), ipText, findings);
            if (cidr != null)
            {
                parsed.add(cidr);
            }
        }
        findRedundant(name, parsed, findings);
        findIpv6BlocksSkippingIpv4(name, parsed, findings);
        findings.sort(Comparator.comparingInt(CidrFinding::index).thenComparing(CidrFinding::level));
        return new CidrList(name, parsed, findings);
    }

    /** @return the list's name. */
    public String name()
    {
        return name;
    }

    /** @return the usable entries, in list order (host bits cleared). */
    public List<Cidr> entries()
    {
        return entries;
    }

    /** @return every finding, by entry. */
    public List<CidrFinding> findings()
    {
        return findings;
    }

    /**
     * Whether any entry could not be used.
     *
     * @return true when a finding is an {@link CidrFinding.Level#ERROR}.
     */
    public boolean hasErrors()
    {
        return findings.stream().anyMatch(f -> f.level() == CidrFinding.Level.ERROR);
    }

    /**
     * The compiled table of the usable entries, built on first use. A list with errors still compiles (without the
     * bad entries), so a validator can report everything; a running configuration must refuse it.
     *
     * @return the table, shared by every caller.
     */
    public synchronized CidrTable table()
    {
        if (table == null)
        {
            table = new CidrTable(entries);
        }
        return table;
    }

    private static Cidr parseEntry(final String list, final int index, final String text, final IpText ipText,
        final List<CidrFinding> findings)
    {
        if (text == null || text.isEmpty())
        {
            findings.add(error(CidrFinding.Kind.INVALID_ADDRESS, list, index, 0, "entry " + (index + 1) +
                " is empty", "write an address or a block, e.g. 10.0.0.0/8 or 2001:db8::/32"));
            return null;
        }
        final int slash = text.indexOf('/');
        final String addressText = slash < 0 ? text : text.substring(0, slash);
        if (!ipText.parse(addressText))
        {
            findings.add(error(CidrFinding.Kind.INVALID_ADDRESS, list, index, 0, "'" + addressText +
                "' in '" + text + "' is not an IPv4 or IPv6 address", "write e.g. 10.0.0.0/8, 192.0.2.1 or " +
                "2001:db8::/32 (IPv4 without leading zeros, IPv6 without brackets or a zone)"));
            return null;
        }
        long high = ipText.high();
        long low = ipText.low();
        final boolean ipv4 = Ip.isIpv4(high, low) && !addressText.contains(":");
        final int familyBits = ipv4 ? 32 : 128;
        int prefix = familyBits;
        if (slash >= 0)
        {
            prefix = parsePrefix(text.substring(slash + 1));
            if (prefix < 0 || prefix > familyBits)
            {
                findings.add(error(CidrFinding.Kind.INVALID_PREFIX, list, index, slash + 1, prefix < 0 ?
                    "'" + text.substring(slash + 1) + "' in '" + text + "' is not a prefix length" :
                    "prefix length " + prefix + " in '" + text + "' is more than " + familyBits + ", the bits of an " +
                        (ipv4 ? "IPv4" : "IPv6") + " address", "write a number from 0 to " + familyBits +
                    " without leading zeros, e.g. " + addressText + "/" + (ipv4 ? 24 : 64)));
                return null;
            }
        }
        boolean mappedAsIpv4 = ipv4;
        int bits = ipv4 ? Cidr.IPV4_MAPPED_BITS + prefix : prefix;
        if (!ipv4 && Ip.isIpv4(high, low) && prefix >= Cidr.IPV4_MAPPED_BITS)
        {
            // ::ffff:10.0.0.0/104 is how an IPv4 block looks on a dual-stack socket: it is 10.0.0.0/8.
            mappedAsIpv4 = true;
        }
        final long networkHigh = high & Cidr.maskHigh(bits);
        final long networkLow = low & Cidr.maskLow(bits);
        final int familyPrefix = mappedAsIpv4 && !ipv4 ? prefix - Cidr.IPV4_MAPPED_BITS : prefix;
        final Cidr cidr = new Cidr(index, text, mappedAsIpv4, networkHigh, networkLow, familyPrefix);
        if (networkHigh != high || networkLow != low)
        {
            final String canonical = cidr.canonical();
            findings.add(new CidrFinding(CidrFinding.Level.WARNING, CidrFinding.Kind.HOST_BITS_SET, list, index, 0,
                "'" + text + "' has bits set after its first " + prefix + "; it means " + canonical,
                "write " + canonical + ", or " + addressText + (ipv4 ? "/32" : "/128") + " for the single address",
                null, -1));
        }
        return cidr;
    }

    /** The prefix length, or -1 when it is not 1-3 digits without a leading zero. */
    private static int parsePrefix(final String digits)
    {
        if (digits.isEmpty() || digits.length() > 3 || (digits.length() > 1 && digits.charAt(0) == '0'))
        {
            return -1;
        }
        int value = 0;
        for (int i = 0; i < digits.length(); i++)
        {
            final char c = digits.charAt(i);
            if (c < '0' || c > '9')
            {
                return -1;
            }
            value = value * 10 + c - '0';
        }
        return value;
    }

    /**
     * Notes every block lying inside another of the same list, naming the innermost one around it. Blocks either nest
     * or are disjoint, so a sweep in range order with a stack of open blocks finds each one's container.
     */
    private static void findRedundant(final String list, final List<Cidr> parsed, final List<CidrFinding> findings)
    {
        final List<Cidr> sorted = new ArrayList<>(parsed);
        sorted.sort(BY_RANGE);
        final List<Cidr> open = new ArrayList<>();
        for (final Cidr cidr : sorted)
        {
            while (!open.isEmpty() && !open.getLast().encloses(cidr))
            {
                open.removeLast();
            }
            if (!open.isEmpty())
            {
                final Cidr outer = open.getLast();
                final boolean duplicate = outer.prefixLength() == cidr.prefixLength();
                findings.add(new CidrFinding(CidrFinding.Level.NOTE,
                    duplicate ? CidrFinding.Kind.DUPLICATE : CidrFinding.Kind.REDUNDANT, list, cidr.index(), 0,
                    duplicate ?
                        "'" + cidr.text() + "' repeats entry " + (outer.index() + 1) + " ('" + outer.text() + "')" :
                        "'" + cidr.text() + "' lies inside entry " + (outer.index() + 1) + " ('" + outer.text() +
                            "') and adds nothing",
                    "remove it", list, outer.index()));
                if (duplicate)
                {
                    // The first of equal blocks stays the one that later blocks are said to lie inside.
                    continue;
                }
            }
            open.add(cidr);
        }
    }

    private static void findIpv6BlocksSkippingIpv4(final String list, final List<Cidr> parsed,
        final List<CidrFinding> findings)
    {
        if (parsed.stream().anyMatch(Cidr::ipv4))
        {
            return;
        }
        final Cidr mapped = new Cidr(-1, "::ffff:0.0.0.0/96", false, 0, Ip.IPV4_MAPPED_PREFIX, 96);
        for (final Cidr cidr : parsed)
        {
            if (cidr.prefixLength() < Cidr.IPV4_MAPPED_BITS && cidr.encloses(mapped))
            {
                findings.add(new CidrFinding(CidrFinding.Level.NOTE, CidrFinding.Kind.IPV6_BLOCK_SKIPS_IPV4, list,
                    cidr.index(), 0, "'" + cidr.text() + "' matches IPv6 clients only: IPv4 clients, also those that " +
                    "reach an IPv6 socket as ::ffff:a.b.c.d, match IPv4 entries only",
                    "add 0.0.0.0/0 (or the IPv4 blocks meant) to cover IPv4 clients too", null, -1));
            }
        }
    }

    /**
     * Notes where an allow list and a deny list overlap: a deny block inside an allow block (its clients are refused;
     * deny wins) or an allow block inside or equal to a deny block (it has no effect). Each inner block is named
     * once, with the innermost block of the other list around it.
     *
     * @param allow the allow list, or null.
     * @param deny  the deny list, or null.
     * @return the notes, by allow entry then deny entry.
     */
    static List<CidrFinding> findAllowDenyOverlaps(final CidrList allow, final CidrList deny)
    {
        if (allow == null || deny == null)
        {
            return List.of();
        }
        final List<Tagged> all = new ArrayList<>();
        allow.entries.forEach(c -> all.add(new Tagged(c, false)));
        deny.entries.forEach(c -> all.add(new Tagged(c, true)));
        // Equal blocks: deny first, so that the allow one is the inner one, reported as having no effect.
        all.sort(Comparator.comparing(Tagged::cidr, BY_RANGE_ONLY).thenComparing(t -> !t.denied())
            .thenComparing(Tagged::cidr, BY_RANGE));
        final List<CidrFinding> findings = new ArrayList<>();
        final List<Tagged> open = new ArrayList<>();
        for (final Tagged tagged : all)
        {
            while (!open.isEmpty() && !open.getLast().cidr().encloses(tagged.cidr()))
            {
                open.removeLast();
            }
            for (int i = open.size() - 1; i >= 0; i--)
            {
                final Tagged outer = open.get(i);
                if (outer.denied() != tagged.denied())
                {
                    findings.add(overlap(allow.name, deny.name, tagged, outer.cidr()));
                    break;
                }
            }
            open.add(tagged);
        }
        findings.sort(Comparator.comparing((CidrFinding f) -> f.list().equals(deny.name))
            .thenComparingInt(CidrFinding::index));
        return Collections.unmodifiableList(findings);
    }

    private static CidrFinding overlap(final String allowName, final String denyName, final Tagged inner,
        final Cidr outer)
    {
        final Cidr cidr = inner.cidr();
        if (inner.denied())
        {
            return new CidrFinding(CidrFinding.Level.NOTE, CidrFinding.Kind.ALLOW_DENY_OVERLAP, denyName,
                cidr.index(), 0, "'" + cidr.text() + "' lies inside " + allowName + " entry " + (outer.index() + 1) +
                " ('" + outer.text() + "'): its clients are refused, as deny wins", null, allowName, outer.index());
        }
        return new CidrFinding(CidrFinding.Level.NOTE, CidrFinding.Kind.ALLOW_DENY_OVERLAP, allowName, cidr.index(),
            0, "'" + cidr.text() + "' has no effect: it lies inside " + denyName + " entry " + (outer.index() + 1) +
            " ('" + outer.text() + "'), and deny wins", "remove one of them", denyName, outer.index());
    }

    /** A block and the list it came from. */
    private record Tagged(Cidr cidr, boolean denied)
    {
    }

    private static CidrFinding error(final CidrFinding.Kind kind, final String list, final int index, final int column,
        final String message, final String hint)
    {
        return new CidrFinding(CidrFinding.Level.ERROR, kind, list, index, column, message, hint, null, -1);
    }
}
