package io.portgate.dns;

import io.portgate.config.Endpoint;
import io.portgate.config.PoolConfig;
import io.portgate.config.PortRange;
import io.portgate.config.PortgateConfig;
import io.portgate.config.Quote;
import io.portgate.config.TargetConfig;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.NanoClock;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * Looks up the targets named by host name of a configuration again and again, and says when a name's addresses
 * change, so that the change can be applied as a reload would apply it: new targets start, removed ones drain.
 *
 * <p>Each named target of a pool (a pool, a name and the target's own ports) is looked up at once when it first
 * appears in {@link #update}, then every {@code resolve-interval} of its pool, counted from the start of the previous
 * lookup. With {@code resolve-interval: 0} it is looked up once, at start; a failed first lookup is tried again every
 * {@link #RETRY_UNTIL_RESOLVED} until one succeeds. A lookup still running when the next is due is not doubled.
 *
 * <p>The set of addresses starts as the addresses the configuration gives the target (the first address its name
 * had when the file was loaded, or every one when the caller expanded it), and from then on is the last good set:
 * a lookup that fails (NXDOMAIN, SERVFAIL, a timeout, no records...) keeps it, is counted, and is logged once per run
 * of failures, with a second line when the name resolves again. A lookup that succeeds replaces it; when the
 * addresses differ (TTLs alone do not count) the {@link Listener} gets a {@link TargetChange} with the added and
 * removed addresses in {@link AddressRecord#ADDRESS_ORDER}, the same order on every instance.
 *
 * <p>Threading: an Agrona {@link Agent} driven by one thread, the conductor's (whose duty cycle calls
 * {@link #doWork()}) or its own {@code AgentRunner}. {@link #update}, {@link #doWork()}, {@link #expand} and
 * {@link #onClose()} run on that thread, and the listener is called from {@code doWork()} on it. Lookups run on
 * {@link HostResolver}'s virtual threads and hand their results back through a queue, so {@code doWork()} never
 * waits on the network.
 * {@link #statuses()} and the totals may be read from any thread. The clock is injected: a test moves time by hand.
 */
public final class TargetResolution implements Agent
{
    /** With {@code resolve-interval: 0}, how soon a first lookup that failed is tried again. */
    public static final Duration RETRY_UNTIL_RESOLVED = Duration.ofSeconds(5);

    private static final System.Logger LOG = System.getLogger("io.portgate.dns");

    /** Told of every change, on the agent's thread. */
    @FunctionalInterface
    public interface Listener
    {
        /**
         * A named target's addresses changed.
         *
         * @param change what was added and removed.
         */
        void onChange(TargetChange change);
    }

    /** What identifies a named target of a pool across updates. */
    private record Key(String pool, String name, PortRange ports)
    {
    }

    /** One named target's state, touched only on the agent's thread. */
    private static final class Subscription
    {
        final Key key;
        TargetConfig target;
        long intervalNs;
        List<AddressRecord> records;
        boolean resolvedOnce;
        boolean inFlight;
        boolean done;
        long startedNs;
        long nextDueNs;
        long lookups;
        long failures;
        long changes;
        int consecutiveFailures;
        LookupOutcome lastOutcome;
        String lastReason;

        Subscription(final Key key)
        {
            this.key = key;
        }

        String label()
        {
            return "pool " + Quote.of(key.pool) + " target name " + Quote.of(target.name()) +
                (key.ports != null ? " (port " + key.ports + ")" : "");
        }
    }

    private record Completed(Subscription subscription, Resolution resolution)
    {
    }

    private final NanoClock clock;
    private final Listener listener;
    private final Duration timeout;
    private final Queue<Completed> completed = new ConcurrentLinkedQueue<>();
    private Map<Key, Subscription> subscriptions = Map.of();
    private HostResolver resolver;
    private List<java.net.InetSocketAddress> resolvers;
    private long earliestDueNs;
    private boolean waiting;
    private boolean closed;
    private volatile Runnable onLookupEnded = () -> { };

    private volatile List<NameStatus> statuses = List.of();
    private volatile long totalLookups;
    private volatile long totalFailures;
    private volatile long totalChanges;

    /**
     * Creates a scheduler with nothing to look up until {@link #update}.
     *
     * @param clock    the clock.
     * @param listener told of every change.
     * @param timeout  how long one lookup may take.
     */
    public TargetResolution(final NanoClock clock, final Listener listener, final Duration timeout)
    {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
    }

    /**
     * Creates a scheduler whose lookups take at most {@link HostResolver#DEFAULT_TIMEOUT}.
     *
     * @param clock    the clock.
     * @param listener told of every change.
     */
    public TargetResolution(final NanoClock clock, final Listener listener)
    {
        this(clock, listener, HostResolver.DEFAULT_TIMEOUT);
    }

    @Override
    public String roleName()
    {
        return "portgate-dns";
    }

    /**
     * Takes a configuration, at start and at every reload: its named targets are looked up now. A named target it
     * had before (same pool, name and ports) keeps its last good set and its counts; one that is new starts from
     * the addresses the configuration gives it; one that is gone is forgotten, and a lookup of it still running
     * is ignored when it ends. Changing {@code resolvers:} asks the new servers from now on; without
     * {@code resolvers:}, {@code /etc/resolv.conf} is read again.
     *
     * @param config the configuration.
     */
    public void update(final PortgateConfig config)
    {
        // The system resolver's files are read again at every update, so a reload sees a changed resolv.conf.
        if (resolver == null || !config.resolvers().equals(resolvers) || config.resolvers().isEmpty())
        {
            resolver = HostResolver.of(config.resolvers(), timeout);
            resolvers = config.resolvers();
        }
        final long now = clock.nanoTime();
        final Map<Key, Subscription> next = new LinkedHashMap<>();
        for (final PoolConfig pool : config.pools().values())
        {
            final Map<Key, Set<InetAddress>> loaded = new LinkedHashMap<>();
            for (final TargetConfig target : pool.targets())
            {
                if (!target.isNamed())
                {
                    continue;
                }
                final Key key = new Key(pool.name(), TargetNames.key(target.name()), target.ports());
                final Set<InetAddress> addresses = loaded.computeIfAbsent(key, k -> new LinkedHashSet<>());
                if (target.address() != null)
                {
                    addresses.add(target.address());
                }
                if (next.containsKey(key))
                {
                    continue;
                }
                final Subscription was = subscriptions.get(key);
                final Subscription s = was != null ? was : new Subscription(key);
                s.target = target;
                s.intervalNs = pool.resolveInterval().toNanos();
                s.nextDueNs = now;
                s.done = false;
                next.put(key, s);
            }
            loaded.forEach((key, addresses) ->
            {
                final Subscription s = next.get(key);
                if (s.records == null)
                {
                    s.records = Resolution.resolved(key.name, addresses.stream()
                        .map(a -> new AddressRecord(a, AddressRecord.UNKNOWN_TTL)).toList(), "").records();
                }
            });
        }
        subscriptions = next;
        waiting = !next.isEmpty();
        earliestDueNs = now;
        publish();
    }

    /**
     * A configuration with every named target replaced by one target per address of its last good set: what the
     * balancer should run with after {@link #update} (at start the same addresses the configuration gave).
     *
     * @param config the configuration last given to {@link #update}.
     * @return a copy with named targets expanded; a named target with no address yet is left out.
     */
    public PortgateConfig expand(final PortgateConfig config)
    {
        final List<PoolConfig> pools = new ArrayList<>();
        for (final PoolConfig pool : config.pools().values())
        {
            if (!pool.hasNamedTargets())
            {
                continue;
            }
            final List<TargetConfig> targets = new ArrayList<>();
            final Set<Key> done = new LinkedHashSet<>();
            for (final TargetConfig target : pool.targets())
            {
                if (!target.isNamed())
                {
                    targets.add(target);
                    continue;
                }
                final Key key = new Key(pool.name(), TargetNames.key(target.name()), target.ports());
                final Subscription s = subscriptions.get(key);
                if (s != null && done.add(key))
                {
                    s.records.forEach(r -> targets.add(target.withAddress(r.address())));
                }
            }
            pools.add(pool.withTargets(targets));
        }
        return config.withPools(pools);
    }

    /**
     * Who is told, on the thread that ended it, that a lookup ended and waits for {@link #doWork()}: a runner that
     * sleeps until {@link #nextDeadlineNs} is woken by it.
     *
     * @param wake told of each lookup that ended; it must not block.
     */
    public void onLookupEnded(final Runnable wake)
    {
        onLookupEnded = wake;
    }

    /**
     * When {@link #doWork()} has something to do next if no lookup ends first: now when one ended and waits, else
     * the next lookup due.
     *
     * @param nowNs the current time.
     * @return the deadline; an hour from now when nothing is due.
     */
    public long nextDeadlineNs(final long nowNs)
    {
        if (!completed.isEmpty())
        {
            return nowNs;
        }
        return waiting && !closed ? earliestDueNs : nowNs + TimeUnit.HOURS.toNanos(1);
    }

    @Override
    public int doWork()
    {
        if (closed)
        {
            return 0;
        }
        final long now = clock.nanoTime();
        int work = 0;
        Completed c;
        while ((c = completed.poll()) != null)
        {
            if (subscriptions.get(c.subscription.key) == c.subscription)
            {
                apply(c.subscription, c.resolution);
                work++;
            }
        }
        if (waiting && now - earliestDueNs >= 0)
        {
            work += startDue(now);
        }
        if (work > 0)
        {
            publish();
        }
        return work;
    }

    @Override
    public void onClose()
    {
        closed = true;
        subscriptions = Map.of();
        completed.clear();
        publish();
    }

    /**
     * Where every named target's lookups stand. Safe from any thread.
     *
     * @return one status per named target of each pool, in configuration order.
     */
    public List<NameStatus> statuses()
    {
        return statuses;
    }

    /**
     * Lookups ended since this scheduler was made. Safe from any thread.
     *
     * @return the count; never goes down, across updates.
     */
    public long totalLookups()
    {
        return totalLookups;
    }

    /**
     * Lookups that failed since this scheduler was made. Safe from any thread.
     *
     * @return the count; never goes down, across updates.
     */
    public long totalFailures()
    {
        return totalFailures;
    }

    /**
     * Changes handed to the listener since this scheduler was made. Safe from any thread.
     *
     * @return the count; never goes down, across updates.
     */
    public long totalChanges()
    {
        return totalChanges;
    }

    /**
     * Who is asked.
     *
     * @return the resolver's description, or null before the first {@link #update}.
     */
    public String resolverDescription()
    {
        final HostResolver r = resolver;
        return r == null ? null : r.description();
    }

    /**
     * Lookups that ended and wait for {@link #doWork()} to take them in: lets a test know a result is there.
     *
     * @return how many.
     */
    int endedNotTakenIn()
    {
        return completed.size();
    }

    private int startDue(final long now)
    {
        int started = 0;
        waiting = false;
        for (final Subscription s : subscriptions.values())
        {
            if (s.inFlight || s.done)
            {
                continue;
            }
            if (now - s.nextDueNs >= 0)
            {
                start(s, now);
                started++;
            }
            else
            {
                due(s.nextDueNs);
            }
        }
        return started;
    }

    // Remembers the earliest time a lookup is due, so that doWork looks at the subscriptions only then.
    private void due(final long dueNs)
    {
        if (!waiting || dueNs - earliestDueNs < 0)
        {
            earliestDueNs = dueNs;
            waiting = true;
        }
    }

    private void start(final Subscription s, final long now)
    {
        s.inFlight = true;
        s.startedNs = now;
        final HostResolver r = resolver;
        r.resolve(s.target.name()).whenComplete((resolution, ex) ->
        {
            completed.offer(new Completed(s, resolution != null ? resolution :
                Resolution.failed(s.target.name(), LookupOutcome.ERROR, r.description(), String.valueOf(ex))));
            onLookupEnded.run();
        });
    }

    private void apply(final Subscription s, final Resolution r)
    {
        s.inFlight = false;
        s.lookups++;
        totalLookups++;
        s.lastOutcome = r.outcome();
        if (r.isResolved())
        {
            onResolved(s, r);
        }
        else
        {
            onFailed(s, r);
        }
        // resolve-interval 0: once, at start; until that once succeeds, again every RETRY_UNTIL_RESOLVED.
        s.done = s.intervalNs == 0 && s.resolvedOnce;
        if (!s.done)
        {
            s.nextDueNs = s.startedNs + (s.intervalNs > 0 ? s.intervalNs : RETRY_UNTIL_RESOLVED.toNanos());
            due(s.nextDueNs);
        }
    }

    private void onResolved(final Subscription s, final Resolution r)
    {
        if (s.consecutiveFailures > 0)
        {
            LOG.log(System.Logger.Level.INFO, "{0} resolves again after {1} failed {2}: {3}", s.label(),
                s.consecutiveFailures, s.consecutiveFailures == 1 ? "lookup" : "lookups", addresses(r.records()));
        }
        s.consecutiveFailures = 0;
        s.lastReason = null;
        s.resolvedOnce = true;
        final List<InetAddress> before = s.records.stream().map(AddressRecord::address).toList();
        final List<InetAddress> after = r.addresses();
        final List<InetAddress> added = after.stream().filter(a -> !before.contains(a)).toList();
        final List<InetAddress> removed = before.stream().filter(a -> !after.contains(a)).toList();
        s.records = r.records();
        if (added.isEmpty() && removed.isEmpty())
        {
            return;
        }
        s.changes++;
        totalChanges++;
        final TargetChange change = new TargetChange(s.key.pool, s.target, added, removed, r.records());
        LOG.log(System.Logger.Level.INFO, "{0}: {1} (now {2})", s.label(), change.describe(),
            addresses(r.records()));
        listener.onChange(change);
    }

    private void onFailed(final Subscription s, final Resolution r)
    {
        s.failures++;
        totalFailures++;
        s.consecutiveFailures++;
        s.lastReason = r.reason();
        if (s.consecutiveFailures == 1)
        {
            LOG.log(System.Logger.Level.WARNING, "{0}: lookup failed: {1}; {2} (logged once until it resolves " +
                "again)", s.label(), r.reason(), s.records.isEmpty() ? "it has no address yet" : "keeping its last " +
                (s.records.size() == 1 ? "address, " : s.records.size() + " addresses, ") + addresses(s.records));
        }
    }

    private static String addresses(final List<AddressRecord> records)
    {
        return String.join(", ", records.stream().map(r -> Endpoint.literal(r.address())).toList());
    }

    private void publish()
    {
        final List<NameStatus> list = new ArrayList<>(subscriptions.size());
        final String who = resolver == null ? null : resolver.description();
        for (final Subscription s : subscriptions.values())
        {
            list.add(new NameStatus(s.key.pool, s.target.name(), s.key.ports, s.records, s.lookups, s.failures,
                s.changes, s.consecutiveFailures, s.lastOutcome, s.lastReason, who));
        }
        statuses = List.copyOf(list);
    }
}
