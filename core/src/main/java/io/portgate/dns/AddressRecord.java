package io.portgate.dns;

import io.portgate.config.Endpoint;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.Comparator;

/**
 * One address a name resolved to: an A or AAAA record, or a line of the hosts file.
 *
 * @param address    the address.
 * @param ttlSeconds the record's time to live, or {@link #UNKNOWN_TTL} for an address from the hosts file.
 */
public record AddressRecord(InetAddress address, long ttlSeconds)
{
    /** The TTL of an address that did not come from DNS. */
    public static final long UNKNOWN_TTL = -1;

    /**
     * The order addresses are listed and compared in everywhere: IPv4 before IPv6, then by their bytes, unsigned.
     * Every instance sorts a name's records the same way whatever order the resolver answered in.
     */
    public static final Comparator<InetAddress> ADDRESS_ORDER = (a, b) ->
    {
        final boolean aV4 = a instanceof Inet4Address;
        final boolean bV4 = b instanceof Inet4Address;
        if (aV4 != bV4)
        {
            return aV4 ? -1 : 1;
        }
        return Arrays.compareUnsigned(a.getAddress(), b.getAddress());
    };

    /**
     * The record type this address would be.
     *
     * @return {@code A} or {@code AAAA}.
     */
    public String type()
    {
        return address instanceof Inet4Address ? "A" : "AAAA";
    }

    /**
     * The TTL for a table.
     *
     * @return {@code 30s}, or {@code -} when unknown.
     */
    public String ttlText()
    {
        return ttlSeconds == UNKNOWN_TTL ? "-" : ttlSeconds + "s";
    }

    @Override
    public String toString()
    {
        return Endpoint.literal(address) + (ttlSeconds == UNKNOWN_TTL ? "" : " (ttl " + ttlSeconds + "s)");
    }
}
