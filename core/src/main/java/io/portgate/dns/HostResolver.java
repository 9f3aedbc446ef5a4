package io.portgate.dns;

import io.portgate.config.Endpoint;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;
import org.xbill.DNS.config.ResolvConfResolverConfigProvider;
import org.xbill.DNS.hosts.HostsFileParser;
import org.xbill.DNS.lookup.LookupFailedException;
import org.xbill.DNS.lookup.LookupResult;
import org.xbill.DNS.lookup.LookupSession;
import org.xbill.DNS.lookup.NoSuchDomainException;
import org.xbill.DNS.lookup.NoSuchRRSetException;
import org.xbill.DNS.lookup.ServerFailedException;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Looks up every A and AAAA record of a host name, through named DNS servers (the {@code resolvers:} setting) or the
 * system's resolver configuration, with dnsjava.
 *
 * <p>Named servers are asked the name as written, fully qualified: no hosts file, no search domains. The system
 * resolver is what glibc does with {@code hosts: files dns}: the hosts file first ({@code /etc/hosts}; its
 * addresses have no TTL), then the nameservers, search domains and {@code ndots} of {@code /etc/resolv.conf}
 * (127.0.0.1:53 when it names none), as read when this resolver was made.
 *
 * <p>A and AAAA are asked at once. The name resolves when at least one record came back and neither question
 * failed: a SERVFAIL or timeout on one of them fails the whole lookup, so that a flaky answer never passes for a
 * smaller set of addresses (the caller keeps the last good set instead). Servers are tried in turn, each
 * {@value #ATTEMPTS_PER_SERVER} times, within the timeout; a truncated UDP answer is asked again over TCP.
 * Nothing is cached: every lookup asks.
 *
 * <p>{@link #resolve(String)} never blocks and never throws: its future completes, on a dnsjava or common-pool
 * thread, with a {@link Resolution} that is either the records or the reason there are none, by the timeout at
 * the latest. Safe to use from any thread.
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

    private final List<InetSocketAddress> servers;
    private final boolean system;
    private final HostsFileParser hosts;
    private final LookupSession session;
    private final Duration timeout;
    private final String description;

    private HostResolver(final List<InetSocketAddress> servers, final boolean system, final List<Name> searchPath,
        final int ndots, final Duration timeout)
    {
        if (servers.isEmpty())
        {
            throw new IllegalArgumentException("a resolver needs at least one server");
        }
        if (timeout.isNegative() || timeout.isZero())
        {
            throw new IllegalArgumentException("the timeout must be longer than zero");
        }
        this.servers = List.copyOf(servers);
        this.system = system;
        this.timeout = timeout;
        this.hosts = system && Files.isRegularFile(HOSTS_FILE) ? new HostsFileParser(HOSTS_FILE) : null;
        final Duration attempt = max(MIN_ATTEMPT, timeout.dividedBy((long)ATTEMPTS_PER_SERVER * servers.size()));
        final List<Resolver> each = new ArrayList<>();
        for (final InetSocketAddress server : servers)
        {
            final SimpleResolver r = new SimpleResolver(server);
            r.setTimeout(attempt);
            each.add(r);
        }
        final ExtendedResolver resolver = new ExtendedResolver(each);
        resolver.setTimeout(timeout);
        resolver.setRetries(ATTEMPTS_PER_SERVER);
        // Always the first server first, as the system resolver does; one that fails sinks down the order.
        resolver.setLoadBalance(false);
        this.session = LookupSession.builder().resolver(resolver).searchPath(searchPath).ndots(ndots)
            .maxRedirects(MAX_REDIRECTS).build();
        final String list = String.join(", ", servers.stream().map(Endpoint::format).toList());
        this.description = system ? "the system resolver (" + (hosts != null ? HOSTS_FILE + ", then " : "") + list +
            " from /etc/resolv.conf)" : list;
    }

    /**
     * The system's resolver, as {@code /etc/hosts} and {@code /etc/resolv.conf} say now.
     *
     * @param timeout how long a lookup may take.
     * @return the resolver.
     */
    public static HostResolver system(final Duration timeout)
    {
        // A missing or unreadable /etc/resolv.conf leaves every list empty: glibc's defaults, below.
        final ResolvConfResolverConfigProvider conf = new ResolvConfResolverConfigProvider();
        conf.initialize();
        List<InetSocketAddress> servers = conf.servers();
        final List<Name> search = conf.searchPaths();
        final int ndots = conf.ndots();
        if (servers.isEmpty())
        {
            servers = List.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), DNS_PORT));
        }
        return new HostResolver(servers, true, search, ndots, timeout);
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
        return servers.isEmpty() ? system(timeout) : new HostResolver(servers, false, List.of(), 1, timeout);
    }

    /**
     * The servers asked, in order.
     *
     * @return the servers (for the system resolver, those of /etc/resolv.conf).
     */
    public List<InetSocketAddress> servers()
    {
        return servers;
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
        return description;
    }

    /**
     * Looks a name up.
     *
     * @param name a host name.
     * @return a future that completes with the resolution within the timeout and never exceptionally.
     */
    public CompletableFuture<Resolution> resolve(final String name)
    {
        final Name dnsName;
        try
        {
            // Named servers are asked the name as written: absolute. The system resolver applies its search list.
            dnsName = system ? Name.fromString(name) : Name.fromString(name, Name.root);
        }
        catch (final TextParseException ex)
        {
            return CompletableFuture.completedFuture(Resolution.failed(name, LookupOutcome.ERROR, description,
                "not a DNS name: " + ex.getMessage()));
        }
        final CompletableFuture<Resolution> lookup;
        if (hosts != null)
        {
            lookup = CompletableFuture.supplyAsync(() -> fromHostsFile(name, dnsName))
                .thenCompose(found -> found.isPresent() ? CompletableFuture.completedFuture(found.get()) :
                    fromDns(name, dnsName));
        }
        else
        {
            lookup = fromDns(name, dnsName);
        }
        // dnsjava keeps its own deadline; this one is the promise to the caller, whatever happens inside.
        return lookup.completeOnTimeout(Resolution.failed(name, LookupOutcome.TIMEOUT, description,
            "no answer within " + timeout.toMillis() + "ms"), timeout.toNanos() + MIN_ATTEMPT.toNanos(),
            TimeUnit.NANOSECONDS)
            .exceptionally(ex -> Resolution.failed(name, LookupOutcome.ERROR, description, String.valueOf(ex)));
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
            return Resolution.failed(name, LookupOutcome.ERROR, description, "interrupted");
        }
        catch (final ExecutionException ex)
        {
            return Resolution.failed(name, LookupOutcome.ERROR, description, String.valueOf(ex.getCause()));
        }
    }

    private Optional<Resolution> fromHostsFile(final String name, final Name dnsName)
    {
        try
        {
            final Name absolute = dnsName.isAbsolute() ? dnsName : Name.concatenate(dnsName, Name.root);
            final List<AddressRecord> found = new ArrayList<>(2);
            hosts.getAddressForHost(absolute, Type.A).ifPresent(a -> found.add(record(a)));
            hosts.getAddressForHost(absolute, Type.AAAA).ifPresent(a -> found.add(record(a)));
            return found.isEmpty() ? Optional.empty() :
                Optional.of(Resolution.resolved(name, found, HOSTS_FILE.toString()));
        }
        catch (final IOException | RuntimeException ex)
        {
            // An unreadable hosts file is skipped, as glibc does, and DNS asked.
            return Optional.empty();
        }
    }

    private static AddressRecord record(final InetAddress address)
    {
        // Without the name the hosts file gave it: tables and messages show the address alone.
        try
        {
            return new AddressRecord(InetAddress.getByAddress(address.getAddress()), AddressRecord.UNKNOWN_TTL);
        }
        catch (final java.net.UnknownHostException impossible)
        {
            throw new IllegalStateException(impossible);
        }
    }

    private CompletableFuture<Resolution> fromDns(final String name, final Name dnsName)
    {
        final CompletableFuture<Answer> a = ask(dnsName, Type.A);
        final CompletableFuture<Answer> aaaa = ask(dnsName, Type.AAAA);
        return a.thenCombine(aaaa, (v4, v6) -> combine(name, v4, v6));
    }

    /** One question's answer: records, or how it failed. */
    private record Answer(LookupOutcome outcome, List<AddressRecord> records, String detail)
    {
    }

    private CompletableFuture<Answer> ask(final Name dnsName, final int type)
    {
        final CompletableFuture<Answer> answer = new CompletableFuture<>();
        try
        {
            session.lookupAsync(dnsName, type).whenComplete((result, ex) ->
                answer.complete(ex == null ? records(result) : failure(ex)));
        }
        catch (final RuntimeException ex)
        {
            answer.complete(failure(ex));
        }
        return answer;
    }

    private static Answer records(final LookupResult result)
    {
        final List<AddressRecord> found = new ArrayList<>();
        for (final Record r : result.getRecords())
        {
            if (r instanceof ARecord a)
            {
                found.add(new AddressRecord(a.getAddress(), a.getTTL()));
            }
            else if (r instanceof AAAARecord aaaa)
            {
                found.add(new AddressRecord(aaaa.getAddress(), aaaa.getTTL()));
            }
        }
        return new Answer(found.isEmpty() ? LookupOutcome.NO_RECORDS : LookupOutcome.RESOLVED, found, null);
    }

    private static Answer failure(final Throwable thrown)
    {
        Throwable ex = thrown;
        while ((ex instanceof CompletionException || ex instanceof ExecutionException) && ex.getCause() != null)
        {
            ex = ex.getCause();
        }
        final LookupOutcome outcome;
        String detail = null;
        if (ex instanceof NoSuchDomainException)
        {
            outcome = LookupOutcome.NXDOMAIN;
        }
        else if (ex instanceof NoSuchRRSetException)
        {
            outcome = LookupOutcome.NO_RECORDS;
        }
        else if (ex instanceof ServerFailedException)
        {
            outcome = LookupOutcome.SERVFAIL;
        }
        else if (ex instanceof SocketTimeoutException || ex instanceof TimeoutException ||
            ex instanceof IOException && ex.getMessage() != null && ex.getMessage().startsWith("Timed out"))
        {
            outcome = LookupOutcome.TIMEOUT;
        }
        else if (ex instanceof LookupFailedException && ex.getMessage() != null &&
            ex.getMessage().endsWith("REFUSED"))
        {
            outcome = LookupOutcome.REFUSED;
        }
        else
        {
            outcome = LookupOutcome.ERROR;
            detail = ex.getClass().getSimpleName() + (ex.getMessage() != null ? ": " + ex.getMessage() : "");
        }
        return new Answer(outcome, List.of(), detail);
    }

    private Resolution combine(final String name, final Answer v4, final Answer v6)
    {
        // A failure that is not an answer about the name (SERVFAIL, REFUSED, timeout, error) fails the lookup.
        for (final Answer answer : List.of(v4, v6))
        {
            if (!isAnswer(answer.outcome))
            {
                return Resolution.failed(name, answer.outcome, description, answer.detail);
            }
        }
        final List<AddressRecord> all = new ArrayList<>(v4.records);
        all.addAll(v6.records);
        if (!all.isEmpty())
        {
            return Resolution.resolved(name, all, description);
        }
        return Resolution.failed(name, v4.outcome == LookupOutcome.NXDOMAIN && v6.outcome == LookupOutcome.NXDOMAIN ?
            LookupOutcome.NXDOMAIN : LookupOutcome.NO_RECORDS, description, null);
    }

    private static boolean isAnswer(final LookupOutcome outcome)
    {
        return outcome == LookupOutcome.RESOLVED || outcome == LookupOutcome.NO_RECORDS ||
            outcome == LookupOutcome.NXDOMAIN;
    }

    private static Duration max(final Duration a, final Duration b)
    {
        return a.compareTo(b) >= 0 ? a : b;
    }

    @Override
    public String toString()
    {
        return description;
    }
}
