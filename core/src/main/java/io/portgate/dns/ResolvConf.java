package io.portgate.dns;

import java.io.IOException;
import java.io.InputStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What {@code /etc/resolv.conf} tells the system resolver, read as glibc reads it (resolv.conf(5)): up to
 * {@value #MAX_SERVERS} {@code nameserver} lines (IP addresses; the port is always 53), the last of {@code domain}
 * or {@code search} as the search list, and {@code options ndots:N timeout:N attempts:N}, each capped as glibc caps
 * it. The environment variables {@code LOCALDOMAIN} (a search list) and {@code RES_OPTIONS} (options) override the
 * file, as they do for every program. Lines it cannot read, names that are not names and options it does not use are
 * skipped, as glibc skips them; a file that is missing or unreadable gives the defaults, 127.0.0.1 among them.
 *
 * @param servers  the nameservers in order, never empty.
 * @param search   the search list, in order.
 * @param ndots    names with at least this many dots are asked as written before the search list is tried.
 * @param timeout  seconds to wait for one answer.
 * @param attempts how many times each nameserver is asked.
 */
record ResolvConf(List<InetSocketAddress> servers, List<DnsName> search, int ndots, int timeout, int attempts)
{
    /** The file. */
    static final Path PATH = Path.of("/etc/resolv.conf");
    /** glibc's MAXNS: further nameserver lines are ignored. */
    static final int MAX_SERVERS = 3;
    /** {@code ndots} when not set. */
    static final int DEFAULT_NDOTS = 1;
    /** glibc's cap on {@code ndots}. */
    static final int MAX_NDOTS = 15;
    /** {@code timeout} when not set (glibc's RES_TIMEOUT), seconds. */
    static final int DEFAULT_TIMEOUT = 5;
    /** glibc's cap on {@code timeout} (RES_MAXRETRANS), seconds. */
    static final int MAX_TIMEOUT = 30;
    /** {@code attempts} when not set (glibc's RES_DFLRETRY). */
    static final int DEFAULT_ATTEMPTS = 2;
    /** glibc's cap on {@code attempts} (RES_MAXRETRY). */
    static final int MAX_ATTEMPTS = 5;

    /**
     * Copies the lists so the record stays immutable.
     */
    ResolvConf
    {
        servers = List.copyOf(servers);
        search = List.copyOf(search);
    }

    /**
     * Reads the file.
     *
     * @param path the file, normally {@link #PATH}.
     * @param env  the environment ({@code LOCALDOMAIN}, {@code RES_OPTIONS}).
     * @param port the nameservers' port, 53 but in tests.
     * @return what it says; the defaults when it is missing or unreadable.
     */
    static ResolvConf read(final Path path, final Map<String, String> env, final int port)
    {
        List<String> lines;
        try (InputStream in = Files.newInputStream(path))
        {
            // Bytes, not characters: a stray non-ASCII byte must not make the whole file unreadable.
            lines = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1).lines().toList();
        }
        catch (final IOException | RuntimeException ex)
        {
            lines = List.of();
        }
        return parse(lines, env, port);
    }

    /**
     * Reads the file's lines.
     *
     * @param lines the lines.
     * @param env   the environment ({@code LOCALDOMAIN}, {@code RES_OPTIONS}).
     * @param port  the nameservers' port.
     * @return what they say.
     */
    static ResolvConf parse(final List<String> lines, final Map<String, String> env, final int port)
    {
        final Builder b = new Builder();
        for (final String line : lines)
        {
            final String[] words = line.strip().split("[ \t]+");
            if (words[0].isEmpty() || words[0].startsWith("#") || words[0].startsWith(";"))
            {
                continue;
            }
            switch (words[0])
            {
                case "nameserver" ->
                {
                    if (words.length > 1 && b.servers.size() < MAX_SERVERS)
                    {
                        final InetAddress address = address(words[1]);
                        if (address != null)
                        {
                            b.servers.add(new InetSocketAddress(address, port));
                        }
                    }
                }
                case "domain", "search" ->
                {
                    // The last domain or search line wins (resolv.conf(5)).
                    b.search.clear();
                    b.addSearch(words, 1, words[0].equals("domain") ? Math.min(words.length, 2) : words.length);
                }
                case "options" -> b.options(words, 1);
                default ->
                {
                    // sortlist, lookup and the rest have no part in looking up a target's addresses.
                }
            }
        }
        final String localDomain = env.get("LOCALDOMAIN");
        if (localDomain != null)
        {
            b.search.clear();
            b.addSearch(localDomain.strip().split("[ \t]+"), 0, -1);
        }
        final String resOptions = env.get("RES_OPTIONS");
        if (resOptions != null)
        {
            b.options(resOptions.strip().split("[ \t]+"), 0);
        }
        if (b.servers.isEmpty())
        {
            b.servers.add(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        }
        return new ResolvConf(b.servers, b.search, b.ndots, b.timeout, b.attempts);
    }

    /** A nameserver's address: an IP literal, an IPv6 one possibly with a scope; null for anything else. */
    private static InetAddress address(final String text)
    {
        try
        {
            final int scope = text.indexOf('%');
            if (scope < 0)
            {
                return InetAddress.ofLiteral(text);
            }
            // A link-local server, fe80::1%eth0: getByName reads the scope of a literal and asks no resolver.
            return InetAddress.ofLiteral(text.substring(0, scope)) instanceof Inet6Address ?
                InetAddress.getByName(text) : null;
        }
        catch (final IllegalArgumentException | UnknownHostException ex)
        {
            return null;
        }
    }

    /** The values as the lines set them. */
    private static final class Builder
    {
        private final List<InetSocketAddress> servers = new ArrayList<>();
        private final List<DnsName> search = new ArrayList<>();
        private int ndots = DEFAULT_NDOTS;
        private int timeout = DEFAULT_TIMEOUT;
        private int attempts = DEFAULT_ATTEMPTS;

        void addSearch(final String[] words, final int from, final int to)
        {
            final int end = to < 0 ? words.length : to;
            for (int i = from; i < end; i++)
            {
                if (words[i].isEmpty())
                {
                    continue;
                }
                try
                {
                    final DnsName domain = DnsName.parse(words[i]);
                    // The root adds nothing to a name: the name as written is asked anyway.
                    if (!domain.isRoot() && !search.contains(domain))
                    {
                        search.add(domain);
                    }
                }
                catch (final IllegalArgumentException ex)
                {
                    // not a domain: skipped, as glibc skips it
                }
            }
        }

        void options(final String[] words, final int from)
        {
            for (int i = from; i < words.length; i++)
            {
                final String w = words[i];
                if (w.startsWith("ndots:"))
                {
                    ndots = number(w.substring(6), ndots, 0, MAX_NDOTS);
                }
                else if (w.startsWith("timeout:"))
                {
                    timeout = number(w.substring(8), timeout, 1, MAX_TIMEOUT);
                }
                else if (w.startsWith("attempts:"))
                {
                    attempts = number(w.substring(9), attempts, 1, MAX_ATTEMPTS);
                }
            }
        }

        private static int number(final String text, final int unchanged, final int min, final int max)
        {
            if (text.isEmpty() || text.length() > 9 || !text.chars().allMatch(c -> c >= '0' && c <= '9'))
            {
                return unchanged;
            }
            return Math.clamp(Integer.parseInt(text), min, max);
        }
    }
}
