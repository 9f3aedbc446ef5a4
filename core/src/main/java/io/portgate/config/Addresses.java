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
        return parseEndpoint(text, requirePort, true);
    }

    /**
     * Parses an address with an optional port or port range, leaving a host name unresolved when asked to: a target's
     * name is looked up later, through the configured resolvers ({@code io.portgate.dns.TargetNames}).
     *
     * @param text         the text.
     * @param requirePort  whether a port must be present.
     * @param resolveNames whether a host name is resolved now; when false, its syntax is checked and the endpoint's
     *                     address is null. An IP literal is read the same either way.
     * @return the endpoint; its ports are null when none was written and none is required.
     * @throws IllegalArgumentException with a message that says what is wrong and the form expected.
     */
    public static Endpoint parseEndpoint(final String text, final boolean requirePort, final boolean resolveNames)
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
        final InetAddress address = resolveNames || isIpLiteral(host) ? resolve(host) : checkHostName(host);
        final PortRange ports = portText == null ? null : parsePorts(portText);
        return new Endpoint(host, address, ports);
    }

    /**
     * Whether a host is written as an IP address rather than a name: an IPv4 literal, or anything with a colon (an
     * IPv6 literal, with or without a zone; {@link #resolve} says what is wrong with a bad one).
     *
     * @param host the host, without brackets.
     * @return true for an IP literal.
     */
    public static boolean isIpLiteral(final String host)
    {
        if (host.indexOf(':') >= 0)
        {
            return true;
        }
        try
        {
            return InetAddress.ofLiteral(host) != null;
        }
        catch (final IllegalArgumentException ex)
        {
            return false;
        }
    }

    // A name that will be looked up later: only its syntax now.
    private static InetAddress checkHostName(final String host)
    {
        final String name = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
        if (!isHostName(name))
        {
            throw new IllegalArgumentException(Quote.of(host) + " is neither an IP address nor a host name");
        }
        // A top-level label is never all digits (RFC 3696 2): 10.0.0.300 is a mistyped address, not a name.
        if (name.substring(name.lastIndexOf('.') + 1).chars().allMatch(Character::isDigit))
        {
            throw new IllegalArgumentException(Quote.of(host) + " is not an IP address (each of the four numbers is " +
                "0-255) nor a host name (whose last part is not a number)");
        }
        return null;
    }

    /**
     * Parses a DNS server's address, as {@code resolvers:} lists them: an IP address with an optional port
     * ({@code 10.0.0.53}, {@code 10.0.0.53:5353}, {@code [2001:db8::53]:53}).
     *
     * @param text        the text.
     * @param defaultPort the port when none is written.
     * @return the server's socket address.
     * @throws IllegalArgumentException when it is a name, a port range, or not an address.
     */
    public static java.net.InetSocketAddress parseServer(final String text, final int defaultPort)
    {
        final Endpoint endpoint = parseEndpoint(text, false, false);
        if (endpoint.address() == null)
        {
            throw new IllegalArgumentException(Quote.of(endpoint.host()) + " is a host name; a resolver must be an " +
                "IP address, since looking its name up would need a resolver");
        }
        if (endpoint.ports() != null && !endpoint.ports().isSingle())
        {
            throw new IllegalArgumentException(Quote.of(text) + " names a port range; a resolver listens on one port");
        }
        return new java.net.InetSocketAddress(endpoint.address(),
            endpoint.ports() == null ? defaultPort : endpoint.ports().first());
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
