package io.portgate.dns;

import io.portgate.config.Endpoint;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Looks up every A and AAAA record of a host name, through named DNS servers (the {@code resolvers:} setting) or the
 * system's resolver configuration, with a small stub resolver of this package ({@link DnsWire}, {@link DnsClient}).
 *
 * <p>Named servers are asked the name as written, fully qualified: no hosts file, no search domains. The system
 * resolver is what glibc does with {@code hosts: files dns}: the hosts file first ({@code /etc/hosts}; its
 * addresses have no TTL), then the nameservers, search domains, {@code ndots}, {@code timeout} and {@code attempts}
 * of {@code /etc/resolv.conf} (127.0.0.1:53 when it names none; see {@link ResolvConf}). Both files are read again
 * at the next lookup when they change.
 *
 * <p>A and AAAA are asked at once. The name resolves when at least one record came back and neither question
 * failed: a SERVFAIL or timeout on one of them fails the whole lookup, so that a flaky answer never passes for a
 * smaller set of addresses (the caller keeps the last good set instead). Servers are tried in turn, each
 * {@value #ATTEMPTS_PER_SERVER} times (the system resolver: {@code options attempts:}), within the timeout; a
 * truncated UDP answer is asked again over TCP. A CNAME chain is followed through the answer, and its last name asked
 * for when the answer stops short, up to {@value #MAX_REDIRECTS} links. The records of a type share the smallest TTL
 * the server gave them (an RRset has one TTL, RFC 2181 5.2). Nothing is cached: every lookup asks.
 *
 * <p>{@link #resolve(String)} never blocks and never throws: each lookup runs on virtual threads of its own (one
 * per question: the control plane looks names up rarely, and a virtual thread blocked on a socket holds no carrier
 * thread), and its future completes with a {@link Resolution} that is either the records or the reason there are
 * none, by the timeout at the latest. Safe to use from any thread.
 */
public final class HostResolver
{
    /** How long a lookup may take by default, the system resolver's own default. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    /** The port a resolver written without one listens on. */
    public static final int DNS_PORT = 53;
    /** Times each server is asked before the next is. */
    public static final int ATTEMPTS_PER_SERVER = 2;
    /** The hosts file the system resolver reads first. */
    public static final Path HOSTS_FILE = Path.of("/etc/hosts");
    /** CNAMEs followed before a lookup gives up. */
    static final int MAX_REDIRECTS = 8;
    private static final Duration MIN_ATTEMPT = Duration.ofMillis(50);
    /** What {@link #cnameOf} answers for a name with two different CNAMEs; compared by identity. */
    private static final DnsName CONFLICTING_CNAMES = DnsName.parse("conflicting-cnames.invalid");

    /** Who is asked and how, as the configuration (or resolv.conf, as last read) says. */
    private record Setup(ResolvConf conf, DnsClient client, List<DnsName> search, int ndots, String description)
    {
    }

    private final boolean system;
    private final Duration timeout;
    private final HostsFile hosts;
    private final Path resolvConf;
    private final Map<String, String> env;
    private final int port;
    private volatile Setup setup;
    private Object resolvConfVersion;

    private HostResolver(final List<InetSocketAddress> servers, final Duration timeout)
    {
        this(false, timeout, null, null, Map.of(), DNS_PORT);
        if (servers.isEmpty())
        {
            throw new IllegalArgumentException("a resolver needs at least one server");
        }
        setup = setup(new ResolvConf(servers, List.of(), 1, Integer.MAX_VALUE, ATTEMPTS_PER_SERVER));
    }

    private HostResolver(final boolean system, final Duration timeout, final Path hostsFile, final Path resolvConf,
        final Map<String, String> env, final int port)
    {
        if (timeout.isNegative() || timeout.isZero())
        {
            throw new IllegalArgumentException("the timeout must be longer than zero");
        }
        this.system = system;
        this.timeout = timeout;
        this.hosts = hostsFile != null ? new HostsFile(hostsFile) : null;
        this.resolvConf = resolvConf;
        this.env = Map.copyOf(env);
        this.port = port;
        if (system)
        {
            refresh();
        }
    }

    /**
     * The system's resolver, as {@code /etc/hosts} and {@code /etc/resolv.conf} say now (and say later: both are
     * read again when they change).
     *
     * @param timeout how long a lookup may take.
     * @return the resolver.
     */
    public static HostResolver system(final Duration timeout)
    {
        return system(timeout, HOSTS_FILE, ResolvConf.PATH, System.getenv(), DNS_PORT);
    }

    /**
     * The system resolver of other files, and servers on another port than 53: for tests.
     *
     * @param timeout    how long a lookup may take.
     * @param hostsFile  the hosts file.
     * @param resolvConf the resolv.conf.
     * @param env        the environment ({@code LOCALDOMAIN}, {@code RES_OPTIONS}).
     * @param port       the port of the nameservers the file lists.
     * @return the resolver.
     */
    static HostResolver system(final Duration timeout, final Path hostsFile, final Path resolvConf,
        final Map<String, String> env, final int port)
    {
        return new HostResolver(true, timeout, hostsFile, resolvConf, env, port);
    }

    /**
     * A resolver that asks the given servers, or the system's when there are none.
     *
     * @param servers the servers in the order they are asked; empty for the system resolver.
     * @param timeout how long a lookup may take.
     * @return the resolver.
     */
    public static HostResolver of(final List<InetSocketAddress> servers, final Duration timeout)
    {
        return servers.isEmpty() ? system(timeout) : new HostResolver(servers, timeout);
    }

    /**
     * The servers asked, in order.
     *
     * @return the servers (for the system resolver, those of /etc/resolv.conf).
     */
    public List<InetSocketAddress> servers()
    {
        return setup.conf.servers();
    }

    /**
     * Whether this is the system resolver rather than named servers.
     *
     * @return true for the system resolver.
     */
    public boolean isSystem()
    {
        return system;
    }

    /**
     * How long a lookup may take.
     *
     * @return the timeout.
     */
    public Duration timeout()
    {
        return timeout;
    }

    /**
     * Who is asked, for messages and tables.
     *
     * @return {@code 127.0.0.1:5353, 127.0.0.2:53}, or the system resolver and its servers.
     */
    public String description()
    {
        return setup.description;
    }

    /**
     * Looks a name up.
     *
     * @param name a host name.
     * @return a future that completes with the resolution within the timeout and never exceptionally (unless the
     *     caller cancels it, which also stops the lookup).
     */
    public CompletableFuture<Resolution> resolve(final String name)
    {
        final DnsName dnsName;
        try
        {
            dnsName = DnsName.parse(name);
        }
        catch (final IllegalArgumentException ex)
        {
            return CompletableFuture.completedFuture(Resolution.failed(name, LookupOutcome.ERROR, description(),
                "not a DNS name: " + ex.getMessage()));
        }
        final Lookup lookup = new Lookup(name, dnsName, timeout);
        lookup.start();
        // The lookup keeps its own deadline; this one is the promise to the caller, whatever happens inside.
        return lookup.result.completeOnTimeout(Resolution.failed(name, LookupOutcome.TIMEOUT, description(),
            "no answer within " + timeout.toMillis() + "ms"), timeout.toNanos() + MIN_ATTEMPT.toNanos(),
            TimeUnit.NANOSECONDS);
    }

    /**
     * Looks a name up and waits for the answer: for {@code portgate check} and loading a configuration, never on a
     * loop thread.
     *
     * @param name a host name.
     * @return the resolution, within the timeout.
     */
    public Resolution resolveNow(final String name)
    {
        try
        {
            return resolve(name).get();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return Resolution.failed(name, LookupOutcome.ERROR, description(), "interrupted");
        }
        catch (final ExecutionException ex)
        {
            return Resolution.failed(name, LookupOutcome.ERROR, description(), String.valueOf(ex.getCause()));
        }
    }

    @Override
    public String toString()
    {
        return description();
    }

    /** The system resolver reads resolv.conf again when it changed since it was last read. */
    private synchronized Setup refresh()
    {
        final Object version = version(resolvConf);
        if (setup == null || !Objects.equals(version, resolvConfVersion))
        {
            resolvConfVersion = version;
            setup = setup(ResolvConf.read(resolvConf, env, port));
        }
        return setup;
    }

    private Setup setup(final ResolvConf conf)
    {
        final List<InetSocketAddress> servers = conf.servers();
        // Each server's attempts share the timeout; the system resolver waits at most resolv.conf's timeout each.
        final long share = timeout.toNanos() / ((long)conf.attempts() * servers.size());
        final long attemptNs = Math.min(Math.max(MIN_ATTEMPT.toNanos(), share),
            TimeUnit.SECONDS.toNanos(conf.timeout()));
        final String list = String.join(", ", servers.stream().map(Endpoint::format).toList());
        final String description = system ? "the system resolver (" + (Files.isRegularFile(hosts.path()) ?
            hosts.path() + ", then " : "") + list + " from " + resolvConf + ")" : list;
        return new Setup(conf, new DnsClient(servers, conf.attempts(), attemptNs), conf.search(), conf.ndots(),
            description);
    }

    /** A file's version: its inode, modification time and size; null when it cannot be read. */
    private static Object version(final Path file)
    {
        try
        {
            final BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return List.of(String.valueOf(a.fileKey()), a.lastModifiedTime().toMillis(), a.size());
        }
        catch (final java.io.IOException | RuntimeException ex)
        {
            return null;
        }
    }

    /** One question's answer: records, or how it failed. */
    private record Answer(LookupOutcome outcome, List<AddressRecord> records, String detail, boolean nameMissing)
    {
        static Answer failed(final LookupOutcome outcome, final String detail)
        {
            return new Answer(outcome, List.of(), detail, false);
        }
    }

    /** One lookup of a name: its threads, its deadline and the future its caller holds. */
    private final class Lookup
    {
        private final String name;
        private final DnsName dnsName;
        private final long deadlineNs;
        private final CompletableFuture<Resolution> result = new CompletableFuture<>();
        private final CompletableFuture<Answer> v6 = new CompletableFuture<>();
        private volatile Thread main;
        private volatile Thread second;

        Lookup(final String name, final DnsName dnsName, final java.time.Duration timeout)
        {
            this.name = name;
            this.dnsName = dnsName;
            this.deadlineNs = System.nanoTime() + timeout.toNanos(); // the whole lookup's, from now
        }

        void start()
        {
            main = Thread.ofVirtual().name("portgate-dns").unstarted(this::run);
            // Ended, timed out or cancelled: questions still waiting on a socket are stopped (which closes it).
            result.whenComplete((r, ex) -> stop());
            main.start();
        }

        private void stop()
        {
            final Thread a = main;
            final Thread b = second;
            if (a != null && a != Thread.currentThread())
            {
                a.interrupt();
            }
            if (b != null && b != Thread.currentThread())
            {
                b.interrupt();
            }
        }

        private void run()
        {
            try
            {
                final Setup s = system ? refresh() : setup;
                if (hosts != null)
                {
                    final List<InetAddress> listed = hosts.addresses(dnsName);
                    if (!listed.isEmpty())
                    {
                        result.complete(Resolution.resolved(name, listed.stream()
                            .map(a -> new AddressRecord(a, AddressRecord.UNKNOWN_TTL)).toList(),
                            hosts.path().toString()));
                        return;
                    }
                }
                final List<DnsName> candidates = candidates(s);
                second = Thread.ofVirtual().name("portgate-dns").start(() ->
                    v6.complete(askSafely(s, candidates, DnsWire.TYPE_AAAA)));
                if (result.isDone())
                {
                    second.interrupt();
                }
                final Answer v4 = askSafely(s, candidates, DnsWire.TYPE_A);
                result.complete(combine(s, v4, v6.join()));
            }
            catch (final RuntimeException ex)
            {
                result.complete(Resolution.failed(name, LookupOutcome.ERROR, description(), String.valueOf(ex)));
            }
        }

        /**
         * The names to ask, in order: the name as written alone when it is absolute (a trailing dot, or named
         * servers); otherwise with each search domain, and as written first when it has at least ndots dots, last
         * when it has fewer (resolv.conf(5)).
         */
        private List<DnsName> candidates(final Setup s)
        {
            if (!system || name.endsWith("."))
            {
                return List.of(dnsName);
            }
            final List<DnsName> names = new ArrayList<>(s.search.size() + 1);
            for (final DnsName domain : s.search)
            {
                final DnsName joined = dnsName.append(domain);
                if (joined != null)
                {
                    names.add(joined);
                }
            }
            // A name of N labels has N-1 dots.
            names.add(dnsName.labels() > s.ndots ? 0 : names.size(), dnsName);
            return names;
        }

        private Answer askSafely(final Setup s, final List<DnsName> candidates, final int type)
        {
            try
            {
                return ask(s, candidates, type);
            }
            catch (final RuntimeException ex)
            {
                return Answer.failed(LookupOutcome.ERROR, String.valueOf(ex));
            }
        }

        /** Asks each candidate in turn until one is more than a name that does not exist. */
        private Answer ask(final Setup s, final List<DnsName> candidates, final int type)
        {
            Answer answer = null;
            for (final DnsName candidate : candidates)
            {
                answer = follow(s, candidate, type);
                if (!answer.nameMissing)
                {
                    return answer;
                }
            }
            return answer;
        }

        /** Asks for a name, following a CNAME chain through the answer, and asking again where it stops short. */
        private Answer follow(final Setup s, final DnsName start, final int type)
        {
            DnsName current = start;
            final Set<DnsName> seen = new HashSet<>();
            seen.add(current);
            int links = 0;
            while (true)
            {
                final DnsClient.Reply reply = s.client.ask(current, type, deadlineNs);
                if (reply.message() == null)
                {
                    return Answer.failed(reply.failure(), reply.detail());
                }
                final DnsMessage message = reply.message();
                final DnsName asked = current;
                DnsName next;
                while ((next = cnameOf(message, current)) != null)
                {
                    if (next == CONFLICTING_CNAMES)
                    {
                        return Answer.failed(LookupOutcome.ERROR, "more than one CNAME for " + current);
                    }
                    if (++links > MAX_REDIRECTS)
                    {
                        return Answer.failed(LookupOutcome.ERROR, "more than " + MAX_REDIRECTS + " CNAMEs from " +
                            start);
                    }
                    if (!seen.add(next))
                    {
                        return Answer.failed(LookupOutcome.ERROR, "a CNAME loop: " + current + " points back to " +
                            next);
                    }
                    current = next;
                }
                final List<AddressRecord> records = records(message, current, type);
                if (!records.isEmpty())
                {
                    return new Answer(LookupOutcome.RESOLVED, records, null, false);
                }
                if (current.equals(asked))
                {
                    return byRcode(message.rcode());
                }
                // The chain's last name has no records in this answer: ask for it.
            }
        }

        private Resolution combine(final Setup s, final Answer v4, final Answer v6)
        {
            // A failure that is not an answer about the name (SERVFAIL, REFUSED, timeout, error) fails the lookup.
            for (final Answer answer : List.of(v4, v6))
            {
                if (!isAnswer(answer.outcome))
                {
                    return Resolution.failed(name, answer.outcome, s.description, answer.detail);
                }
            }
            final List<AddressRecord> all = new ArrayList<>(v4.records);
            all.addAll(v6.records);
            if (!all.isEmpty())
            {
                return Resolution.resolved(name, all, s.description);
            }
            return Resolution.failed(name, v4.outcome == LookupOutcome.NXDOMAIN &&
                v6.outcome == LookupOutcome.NXDOMAIN ? LookupOutcome.NXDOMAIN : LookupOutcome.NO_RECORDS,
                s.description, null);
        }
    }

    /**
     * Where a name points: its CNAME in the answer, null when it has none, {@link #CONFLICTING_CNAMES} when it has
     * two that differ (RFC 1034 3.6.2: a name with a CNAME has no other data, another CNAME included).
     */
    private static DnsName cnameOf(final DnsMessage message, final DnsName owner)
    {
        DnsName target = null;
        for (final DnsMessage.Answer a : message.answers())
        {
            if (a.type() == DnsWire.TYPE_CNAME && a.dnsClass() == DnsWire.CLASS_IN && a.owner().equals(owner))
            {
                if (target != null && !target.equals(a.target()))
                {
                    return CONFLICTING_CNAMES;
                }
                target = a.target();
            }
        }
        return target;
    }

    /** The records of one type a name has in the answer, each with the smallest TTL among them (RFC 2181 5.2). */
    private static List<AddressRecord> records(final DnsMessage message, final DnsName owner, final int type)
    {
        final List<InetAddress> addresses = new ArrayList<>();
        long ttl = Long.MAX_VALUE;
        for (final DnsMessage.Answer a : message.answers())
        {
            if (a.type() == type && a.address() != null && a.owner().equals(owner))
            {
                addresses.add(a.address());
                ttl = Math.min(ttl, a.ttl());
            }
        }
        final long rrsetTtl = ttl;
        return addresses.stream().map(a -> new AddressRecord(a, rrsetTtl)).toList();
    }

    /** What an answer without the records means, by its RCODE. */
    private static Answer byRcode(final int rcode)
    {
        return switch (rcode)
        {
            case DnsWire.RCODE_NOERROR -> new Answer(LookupOutcome.NO_RECORDS, List.of(), null, false);
            case DnsWire.RCODE_NXDOMAIN -> new Answer(LookupOutcome.NXDOMAIN, List.of(), null, true);
            // NXRRSET (RFC 2136) says the name has no records of the type: as NOERROR, but the search goes on.
            case DnsWire.RCODE_NXRRSET -> new Answer(LookupOutcome.NO_RECORDS, List.of(), null, true);
            case DnsWire.RCODE_SERVFAIL -> Answer.failed(LookupOutcome.SERVFAIL, null);
            case DnsWire.RCODE_REFUSED -> Answer.failed(LookupOutcome.REFUSED, null);
            case DnsWire.RCODE_FORMERR -> Answer.failed(LookupOutcome.ERROR, "the server answered FORMERR (format " +
                "error)");
            case DnsWire.RCODE_NOTIMP -> Answer.failed(LookupOutcome.ERROR, "the server answered NOTIMP (not " +
                "implemented)");
            default -> Answer.failed(LookupOutcome.ERROR, "the server answered RCODE " + rcode);
        };
    }

    private static boolean isAnswer(final LookupOutcome outcome)
    {
        return outcome == LookupOutcome.RESOLVED || outcome == LookupOutcome.NO_RECORDS ||
            outcome == LookupOutcome.NXDOMAIN;
    }
}
