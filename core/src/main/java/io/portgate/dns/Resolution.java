package io.portgate.dns;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one lookup of a name found: its addresses, or why there are none.
 *
 * @param name     the name as asked.
 * @param outcome  how the lookup ended.
 * @param records  the addresses in {@link AddressRecord#ADDRESS_ORDER}, each once; empty unless resolved.
 * @param resolver who was asked, for messages: {@code 127.0.0.1:5353}, {@code /etc/hosts}...
 * @param detail   more about a failure (the exception's message), or null.
 */
public record Resolution(String name, LookupOutcome outcome, List<AddressRecord> records, String resolver,
    String detail)
{
    /**
     * Copies the records so the record stays immutable.
     */
    public Resolution
    {
        records = List.copyOf(records);
    }

    /**
     * A successful lookup.
     *
     * @param name     the name.
     * @param records  what it resolved to, in any order, possibly repeated (the shortest TTL of a repeat is kept).
     * @param resolver who answered.
     * @return the resolution, records sorted; {@link LookupOutcome#NO_RECORDS} when there are none.
     */
    public static Resolution resolved(final String name, final Collection<AddressRecord> records,
        final String resolver)
    {
        final Map<InetAddress, AddressRecord> unique = new LinkedHashMap<>();
        for (final AddressRecord r : records)
        {
            unique.merge(r.address(), r, (a, b) -> a.ttlSeconds() <= b.ttlSeconds() ? a : b);
        }
        final List<AddressRecord> sorted = new ArrayList<>(unique.values());
        sorted.sort((a, b) -> AddressRecord.ADDRESS_ORDER.compare(a.address(), b.address()));
        return new Resolution(name, sorted.isEmpty() ? LookupOutcome.NO_RECORDS : LookupOutcome.RESOLVED, sorted,
            resolver, null);
    }

    /**
     * A failed lookup.
     *
     * @param name     the name.
     * @param outcome  why it failed; not {@link LookupOutcome#RESOLVED}.
     * @param resolver who was asked.
     * @param detail   more, or null.
     * @return the resolution.
     */
    public static Resolution failed(final String name, final LookupOutcome outcome, final String resolver,
        final String detail)
    {
        if (outcome == LookupOutcome.RESOLVED)
        {
            throw new IllegalArgumentException("a failed lookup needs a failure outcome");
        }
        return new Resolution(name, outcome, List.of(), resolver, detail);
    }

    /**
     * Whether the name resolved to at least one address.
     *
     * @return true when resolved.
     */
    public boolean isResolved()
    {
        return outcome == LookupOutcome.RESOLVED;
    }

    /**
     * The addresses alone.
     *
     * @return the addresses, in {@link AddressRecord#ADDRESS_ORDER}.
     */
    public List<InetAddress> addresses()
    {
        return records.stream().map(AddressRecord::address).toList();
    }

    /**
     * Why the lookup failed, for a message: {@code NXDOMAIN: no such name (asked 127.0.0.1:5353)}.
     *
     * @return the reason, or the addresses when it resolved.
     */
    public String reason()
    {
        if (isResolved())
        {
            return records.toString();
        }
        return outcome.text() + (detail != null && !detail.isBlank() ? " (" + detail + ")" : "") + "; asked " +
            resolver;
    }
}
