package io.portgate.config;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * An address with a port or a port range, as written in the file ({@code 0.0.0.0:8080}, {@code [::1]:30000-30009}).
 *
 * @param host    the host as written, without brackets.
 * @param address the resolved address.
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
     * Formats an address for a message, IPv6 in brackets.
     *
     * @param address the address.
     * @return its literal form.
     */
    public static String literal(final InetAddress address)
    {
        final String text = address.getHostAddress();
        return address instanceof Inet6Address ? "[" + text + "]" : text;
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

    @Override
    public String toString()
    {
        return ports == null ? literal(address) : literal(address) + ":" + ports;
    }
}
