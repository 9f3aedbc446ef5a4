package io.portgate.conductor;

import io.portgate.config.PoolConfig;
import io.portgate.config.PortgateConfig;
import io.portgate.config.TargetConfig;
import io.portgate.dns.NameStatus;
import io.portgate.dns.TargetChange;
import io.portgate.dns.TargetResolution;
import org.agrona.concurrent.NanoClock;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The targets a configuration names by host name, as DNS has them now: the conductor's {@link TargetResolution},
 * and the configuration as written, which every lookup that changes a name's addresses expands again into what
 * runs (one target per A and AAAA record, at the target's own port and weight), to be applied as a reload is.
 *
 * <p>Conductor thread only (the resolution's lookups run off it and hand results back through a queue, so
 * {@link #doWork()} never waits on the network), but for {@link #statuses()} and the totals.
 */
public final class DiscoveredTargets
{
    private final TargetResolution resolution;
    /** Written on the conductor's thread (or before it starts), read by a reload on any thread. */
    private volatile PortgateConfig requested;
    private boolean changed;

    /**
     * Nothing to look up until {@link #resolve}.
     *
     * @param clock the clock.
     */
    public DiscoveredTargets(final NanoClock clock)
    {
        this.resolution = new TargetResolution(clock, this::onChange);
    }

    /**
     * Takes a configuration as written, at start and at every reload: its names are looked up again from now on.
     *
     * @param config the configuration, named targets as the loader left them (each with its first address, or none).
     * @return what to run: every named target expanded to the last good set of its name's addresses.
     */
    public PortgateConfig resolve(final PortgateConfig config)
    {
        resolution.update(config);
        requested = config;
        changed = false;
        return expanded();
    }

    /**
     * The configuration as written that runs now.
     *
     * @return it, or null before {@link #resolve}.
     */
    public PortgateConfig requested()
    {
        return requested;
    }

    /**
     * Takes in lookups that ended and starts those due.
     *
     * @return work done.
     */
    int doWork()
    {
        return resolution.doWork();
    }

    /**
     * When {@link #doWork()} has something to do next if no lookup ends first.
     *
     * @param nowNs the current time.
     * @return the deadline.
     */
    long nextDeadlineNs(final long nowNs)
    {
        return resolution.nextDeadlineNs(nowNs);
    }

    /**
     * Who is woken when a lookup ends, on the thread that ended it.
     *
     * @param wake the wake-up; it must not block.
     */
    void onLookupEnded(final Runnable wake)
    {
        resolution.onLookupEnded(wake);
    }

    /**
     * Whether a name's addresses changed since the last call (or {@link #resolve}), then cleared.
     *
     * @return true when what runs should be expanded again.
     */
    boolean takeChanged()
    {
        final boolean was = changed;
        changed = false;
        return was;
    }

    /**
     * What runs now: the configuration as written with every named target expanded, each address once per pool
     * (a name that gives an address the pool lists already adds nothing).
     *
     * @return the configuration to run.
     */
    PortgateConfig expanded()
    {
        final PortgateConfig expanded = resolution.expand(requested);
        final List<PoolConfig> pools = new ArrayList<>();
        for (final PoolConfig pool : expanded.pools().values())
        {
            final Set<String> labels = new LinkedHashSet<>();
            final List<TargetConfig> targets = new ArrayList<>();
            for (final TargetConfig target : pool.targets())
            {
                if (labels.add(target.label(pool)))
                {
                    targets.add(target);
                }
            }
            if (targets.size() != pool.targets().size())
            {
                pools.add(pool.withTargets(targets));
            }
        }
        return pools.isEmpty() ? expanded : expanded.withPools(pools);
    }

    /** Stops looking names up: at the conductor's close, or a start given up before it. */
    public void close()
    {
        resolution.onClose();
    }

    /**
     * Where every named target's lookups stand. Any thread.
     *
     * @return one per named target of each pool.
     */
    public List<NameStatus> statuses()
    {
        return resolution.statuses();
    }

    /** @return lookups that ended. Any thread. */
    public long lookups()
    {
        return resolution.totalLookups();
    }

    /** @return lookups that failed, the last good set kept. Any thread. */
    public long failures()
    {
        return resolution.totalFailures();
    }

    /** @return changes of a name's addresses applied. Any thread. */
    public long changes()
    {
        return resolution.totalChanges();
    }

    private void onChange(final TargetChange change)
    {
        changed = true;
    }
}
