package io.portgate.config;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Parses the address forms the configuration accepts: {@code 10.0.0.1}, {@code 10.0.0.1:8080},
 * {@code 0.0.0.0:30000-30009}, {@code [::1]:8080}, {@code ::1}, {@code localhost:9000}.
 */
public final class Addresses
{
    private Addresses()
    {
    }

    /**
     * Parses an address with an optional port or port range.
     *
     * @param text        the text.
     * @param requirePort whether a port must be present.
     * @return the endpoint; its ports are null when none was written and none is required.
     * @throws IllegalArgumentException with a message that says what is wrong and the form expected.
     */
    public static Endpoint parseEndpoint(final String text, final boolean requirePort)
    {
        final String trimmed = text.trim();
        if (trimmed.isEmpty())
        {
            throw new IllegalArgumentException("empty address; write address:port, e.g. 127.0.0.1:8080");
        }

        final String host;
        final String portText;
        if (trimmed.startsWith("["))
        {
            final int close = trimmed.indexOf(']');
            if (close < 0)
            {
                throw new IllegalArgumentException(
                    Quote.of(text) + " opens '[' without closing it; write an IPv6 address as [::1]:8080");
            }
            host = trimmed.substring(1, close);
            final String rest = trimmed.substring(close + 1);
            if (rest.isEmpty())
            {
                portText = null;
            }
            else if (rest.startsWith(":"))
            {
                portText = rest.substring(1);
            }
            else
            {
                throw new IllegalArgumentException("unexpected " + Quote.of(rest) + " after ']' in " + Quote.of(text));
            }
        }
        else
        {
            final int first = trimmed.indexOf(':');
            final int last = trimmed.lastIndexOf(':');
            if (first >= 0 && first != last)
            {
                if (requirePort)
                {
                    throw new IllegalArgumentException(Quote.of(text) + " looks like an IPv6 address without a port; " +
                        "put the address in brackets and add the port, e.g. [::1]:8080");
                }
                host = trimmed;
                portText = null;
            }
            else if (first >= 0)
            {
                host = trimmed.substring(0, first);
                portText = trimmed.substring(first + 1);
            }
            else
            {
                host = trimmed;
                portText = null;
            }
        }

        if (host.isEmpty())
        {
            throw new IllegalArgumentException(Quote.of(text) + " has no address; write 0.0.0.0:PORT for every IPv4 " +
                "address, [::]:PORT for every IPv6 address, or 127.0.0.1:PORT for loopback only");
        }
        if (portText == null && requirePort)
        {
            throw new IllegalArgumentException(Quote.of(text) + " has no port; write address:port, e.g. " +
                Endpoint.literal(resolve(host)) + ":8080");
        }
        final InetAddress address = resolve(host);
        final PortRange ports = portText == null ? null : parsePorts(portText);
        return new Endpoint(host, address, ports);
    }

    /**
     * Whether a target named by an operator (an admin request) is a target as portgate names it. Both forms of an
     * IPv6 address are accepted ({@code [::1]:9000}, {@code [0:0:0:0:0:0:0:1]:9000}, and {@code ::1:9000} without
     * brackets, since a URL path cannot carry them unencoded), and a range target by its range
     * ({@code 10.0.0.1:8000-8009}) or its first port ({@code 10.0.0.1:8000}).
     *
     * @param requested the target as written by the operator.
     * @param label     the target's name, {@link TargetConfig#label}.
     * @return true when they name the same target.
     */
    public static boolean sameTarget(final String requested, final String label)
    {
        if (requested.equals(label))
        {
            return true;
        }
        final Endpoint want = parseTargetName(requested);
        final Endpoint have = parseTargetName(label);
        if (want == null || have == null || !want.address().equals(have.address()))
        {
            return false;
        }
        return want.ports().equals(have.ports()) || want.ports().isSingle() && want.ports().first() ==
            have.ports().first();
    }

    private static Endpoint parseTargetName(final String text)
    {
        try
        {
            final String trimmed = text.trim();
            final int colon = trimmed.lastIndexOf(':');
            if (!trimmed.startsWith("[") && colon > 0 && trimmed.indexOf(':') != colon)
            {
                // An IPv6 address and a port without brackets: the port follows the last colon.
                final String host = trimmed.substring(0, colon);
                return new Endpoint(host, InetAddress.ofLiteral(host), parsePorts(trimmed.substring(colon + 1)));
            }
            // Only literals: a name an operator sends is not looked up.
            final Endpoint endpoint = parseEndpoint(trimmed, true);
            return InetAddress.ofLiteral(endpoint.host()) != null ? endpoint : null;
        }
        catch (final IllegalArgumentException ex)
        {
            return null;
        }
    }

    /**
     * Resolves a host: an IP literal without DNS, anything else through the resolver once.
     *
     * @param host the host.
     * @return its address.
     * @throws IllegalArgumentException when it does not resolve.
     */
    public static InetAddress resolve(final String host)
    {
        try
        {
            return InetAddress.ofLiteral(host);
        }
        catch (final IllegalArgumentException notLiteral)
        {
            final int percent = host.indexOf('%');
            if (percent > 0 && isIpv6Literal(host.substring(0, percent)))
            {
                throw unknownScope(host, host.substring(percent + 1));
            }
            if (!isHostName(host))
            {
                throw new IllegalArgumentException(Quote.of(host) + " is neither an IP address nor a host name");
            }
            try
            {
                return InetAddress.getByName(host);
            }
            catch (final UnknownHostException ex)
            {
                throw new IllegalArgumentException("host name " + Quote.of(host) + " does not resolve; use an IP address " +
                    "or a name the resolver knows");
            }
        }
    }

    private static boolean isIpv6Literal(final String text)
    {
        try
        {
            return InetAddress.ofLiteral(text) instanceof java.net.Inet6Address;
        }
        catch (final IllegalArgumentException ex)
        {
            return false;
        }
    }

    // An IPv6 literal with a zone the JDK cannot resolve: an interface that does not exist, or one without a
    // link-local address to scope. Name it and the interfaces that would do.
    private static IllegalArgumentException unknownScope(final String host, final String zone)
    {
        final java.util.Set<String> all = new java.util.TreeSet<>();
        final java.util.Set<String> linkLocal = new java.util.TreeSet<>();
        try
        {
            for (final java.net.NetworkInterface nic : java.net.NetworkInterface.networkInterfaces().toList())
            {
                all.add(nic.getName());
                if (nic.inetAddresses().anyMatch(a -> a instanceof java.net.Inet6Address && a.isLinkLocalAddress()))
                {
                    linkLocal.add(nic.getName());
                }
            }
        }
        catch (final java.net.SocketException ex)
        {
            // listed as none below
        }
        final String address = host.substring(0, host.indexOf('%'));
        final String problem = all.contains(zone) ? ", which has no link-local IPv6 address to scope it" :
            ", which this host does not have; its interfaces: " + (all.isEmpty() ? "none" : String.join(", ", all));
        return new IllegalArgumentException(Quote.of(host) + " names network interface " + Quote.of(zone) + problem +
            (linkLocal.isEmpty() ? "; no interface here has a link-local IPv6 address" : "; write it as [" + address +
                "%INTERFACE] with an interface that has a link-local address: " + String.join(", ", linkLocal)));
    }

    /**
     * Parses a port ({@code 8080}) or an inclusive range ({@code 30000-30009}).
     *
     * @param text the text.
     * @return the range.
     * @throws IllegalArgumentException when it is not a port or a range within 1-65535.
     */
    public static PortRange parsePorts(final String text)
    {
        final String trimmed = text.trim();
        final int dash = trimmed.indexOf('-', 1);
        if (dash < 0)
        {
            final int port = parsePort(trimmed, text);
            return PortRange.of(port);
        }
        final int first = parsePort(trimmed.substring(0, dash), text);
        final int last = parsePort(trimmed.substring(dash + 1), text);
        if (last < first)
        {
            throw new IllegalArgumentException("port range " + text + " runs backwards; write it low-high, e.g. " +
                last + "-" + first);
        }
        return new PortRange(first, last);
    }

    /**
     * Checks that a number is a port.
     *
     * @param port the number.
     * @return the port.
     * @throws IllegalArgumentException when it is outside 1-65535.
     */
    public static int checkPort(final long port)
    {
        if (port < PortRange.MIN_PORT || port > PortRange.MAX_PORT)
        {
            throw new IllegalArgumentException("port " + port + " is outside 1-65535");
        }
        return (int)port;
    }

    private static int parsePort(final String digits, final String whole)
    {
        final String trimmed = digits.trim();
        if (trimmed.isEmpty() || trimmed.length() > 9 || !trimmed.chars().allMatch(Character::isDigit))
        {
            throw new IllegalArgumentException(Quote.of(whole) + " is not a port or a port range; write 8080 or " +
                "30000-30009");
        }
        return checkPort(Long.parseLong(trimmed));
    }

    private static boolean isHostName(final String host)
    {
        if (host.length() > 253)
        {
            return false;
        }
        for (final String label : host.split("\\.", -1))
        {
            if (label.isEmpty() || label.length() > 63 || label.startsWith("-") || label.endsWith("-"))
            {
                return false;
            }
            for (int i = 0; i < label.length(); i++)
            {
                final char c = label.charAt(i);
                if (!(Character.isLetterOrDigit(c) && c < 128) && c != '-')
                {
                    return false;
                }
            }
        }
        return true;
    }
}
