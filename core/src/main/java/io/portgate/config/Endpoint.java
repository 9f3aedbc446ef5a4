package io.portgate.config;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * An address with a port or a port range, as written in the file ({@code 0.0.0.0:8080}, {@code [::1]:30000-30009}).
 *
 * @param host    the host as written, without brackets.
 * @param address the resolved address, or null for a host name left for later
 *                ({@link Addresses#parseEndpoint(String, boolean, boolean)}).
 * @param ports   the port or ports, or null when the text named no port.
 */
public record Endpoint(String host, InetAddress address, PortRange ports)
{
    /**
     * Whether the address is the wildcard (0.0.0.0 or ::).
     *
     * @return true for an any-local address.
     */
    public boolean isWildcard()
    {
        return address.isAnyLocalAddress();
    }

    /**
     * Whether the address is a loopback address.
     *
     * @return true for 127.0.0.0/8 or ::1.
     */
    public boolean isLoopback()
    {
        return address.isLoopbackAddress();
    }

    /**
     * The socket address of the first port.
     *
     * @return address and first port.
     */
    public InetSocketAddress socketAddress()
    {
        return new InetSocketAddress(address, ports.first());
    }

    /**
     * The socket address at an offset into the port range.
     *
     * @param offset 0-based offset.
     * @return address and port.
     */
    public InetSocketAddress socketAddress(final int offset)
    {
        return new InetSocketAddress(address, ports.portAt(offset));
    }

    /**
     * Formats an address for a message, a table, a log line or a metric label, IPv6 in brackets. The one place an
     * address becomes text, so that it reads the same everywhere.
     *
     * @param address the address.
     * @return its literal form: IPv4 dotted, IPv6 in RFC 5952 form ({@code [::1]}, {@code [fe80::1%eth0]}).
     */
    public static String literal(final InetAddress address)
    {
        return address instanceof Inet6Address v6 ? "[" + ipv6(v6) + "]" : address.getHostAddress();
    }

    /**
     * Formats an IPv6 address as RFC 5952 recommends: lowercase hexadecimal without leading zeros, the longest run
     * of two or more zero groups (the first of equal runs) written {@code ::}, an IPv4-mapped address as
     * {@code ::ffff:a.b.c.d}, and a link-local address's scope as {@code %name} (or {@code %number} when it has no interface name).
     *
     * @param address the address.
     * @return the text, without brackets.
     */
    public static String ipv6(final Inet6Address address)
    {
        final byte[] b = address.getAddress();
        final StringBuilder sb = new StringBuilder(46);
        if (isIpv4Mapped(b))
        {
            sb.append("::ffff:").append(b[12] & 0xff).append('.').append(b[13] & 0xff).append('.')
                .append(b[14] & 0xff).append('.').append(b[15] & 0xff);
        }
        else
        {
            final int[] groups = new int[8];
            for (int i = 0; i < 8; i++)
            {
                groups[i] = (b[2 * i] & 0xff) << 8 | (b[2 * i + 1] & 0xff);
            }
            int bestStart = -1;
            int bestLength = 1;
            for (int i = 0; i < 8; )
            {
                int j = i;
                while (j < 8 && groups[j] == 0)
                {
                    j++;
                }
                if (j - i > bestLength)
                {
                    bestStart = i;
                    bestLength = j - i;
                }
                i = j == i ? i + 1 : j;
            }
            for (int i = 0; i < 8; i++)
            {
                if (i == bestStart)
                {
                    sb.append("::");
                    i += bestLength - 1;
                    continue;
                }
                if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':')
                {
                    sb.append(':');
                }
                sb.append(Integer.toHexString(groups[i]));
            }
        }
        // The JDK gives every interface address a scope; it means something only on link-local ones.
        if (address.isLinkLocalAddress() || address.isMCLinkLocal())
        {
            if (address.getScopedInterface() != null)
            {
                sb.append('%').append(address.getScopedInterface().getName());
            }
            else if (address.getScopeId() != 0)
            {
                sb.append('%').append(address.getScopeId());
            }
        }
        return sb.toString();
    }

    private static boolean isIpv4Mapped(final byte[] b)
    {
        for (int i = 0; i < 10; i++)
        {
            if (b[i] != 0)
            {
                return false;
            }
        }
        return (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
    }

    /**
     * Formats an address and port.
     *
     * @param address the address.
     * @param port    the port.
     * @return {@code address:port}, IPv6 in brackets.
     */
    public static String format(final InetAddress address, final int port)
    {
        return literal(address) + ":" + port;
    }

    /**
     * Formats a socket address.
     *
     * @param address the address and port.
     * @return {@code address:port}, IPv6 in brackets; an unresolved address as its host name.
     */
    public static String format(final InetSocketAddress address)
    {
        return address.getAddress() == null ? address.getHostString() + ":" + address.getPort() :
            format(address.getAddress(), address.getPort());
    }

    @Override
    public String toString()
    {
        final String where = address != null ? literal(address) : host;
        return ports == null ? where : where + ":" + ports;
    }
}
