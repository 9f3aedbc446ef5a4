package io.portgate.health;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.NanoClock;

import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Probes targets on their internal port (or health port) and decides which are up, as an Agrona {@link Agent} on a
 * thread of its own so that a slow target never blocks a forwarder.
 *
 * <p>Each target is probed every {@code interval}, give or take a random jitter of up to {@link #JITTER_FRACTION} so
 * that probes of many targets do not march in step. {@code fall} consecutive failures take an up target down and
 * {@code rise} consecutive successes bring it back. Forwarders report what they see on real traffic (connect
 * failures, resets, ICMP unreachables) through {@link #reportPassiveFailure(int)}, which counts toward {@code fall}
 * so that a dead target goes down between probes. Draining is an operator's overlay: a draining target takes nothing
 * new whatever its health, and its health is still tracked for when it is undrained.
 *
 * <p>A target whose {@link ProbeTarget#config()} is null is not probed and always counts as healthy; it can still be
 * drained.
 *
 * <p>The clock is injected, so tests step thresholds without sleeping. State changes go to a {@link HealthListener}
 * on this agent's thread; {@link #status(int)} may be read from any thread.
 */
public final class HealthChecker implements Agent
{
    /** Probes run at interval x (1 +/- this), at random. */
    public static final double JITTER_FRACTION = 0.1;

    private final ProbeTarget[] targets;
    private final ProbeTransport transport;
    private final NanoClock clock;
    private final HealthListener listener;
    private final SplittableRandom random;

    private final boolean[] probed;
    private final boolean[] healthy;
    private final boolean[] draining;
    private final int[] consecutiveSuccesses;
    private final int[] consecutiveFailures;
    private final long[] nextProbeNs;
    private final boolean[] inFlight;
    private final long[] probes;
    private final AtomicIntegerArray passiveFailures;
    private final AtomicReferenceArray<TargetStatus> statuses;
    private final ManyToOneConcurrentArrayQueue<Runnable> commands = new ManyToOneConcurrentArrayQueue<>(1024);
    private final ProbeTransport.Completion completion = this::onProbeEnded;

    private volatile boolean passiveFailurePending;
    private long earliestDueNs;

    /**
     * Creates a checker; nothing runs until its agent does.
     *
     * @param targets   what to probe; ids must be 0..n-1 in order.
     * @param transport carries the probes.
     * @param clock     the clock.
     * @param listener  told of every state change.
     * @param seed      seeds the jitter.
     */
    public HealthChecker(final List<ProbeTarget> targets, final ProbeTransport transport, final NanoClock clock,
        final HealthListener listener, final long seed)
    {
        this.targets = targets.toArray(new ProbeTarget[0]);
        for (int i = 0; i < this.targets.length; i++)
        {
            if (this.targets[i].id() != i)
            {
                throw new IllegalArgumentException("probe target ids must be 0..n-1 in order, found " +
                    this.targets[i].id() + " at " + i);
            }
        }
        this.transport = transport;
        this.clock = clock;
        this.listener = listener;
        this.random = new SplittableRandom(seed);
        final int n = this.targets.length;
        probed = new boolean[n];
        healthy = new boolean[n];
        draining = new boolean[n];
        consecutiveSuccesses = new int[n];
        consecutiveFailures = new int[n];
        nextProbeNs = new long[n];
        inFlight = new boolean[n];
        probes = new long[n];
        passiveFailures = new AtomicIntegerArray(n);
        statuses = new AtomicReferenceArray<>(n);

        final long now = clock.nanoTime();
        for (int i = 0; i < n; i++)
        {
            // Targets start up, as HAProxy's do: a dead one goes down after `fall` failures, and until then the
            // forwarders' connect retry covers it, so clients lose nothing while the first verdicts come in.
            healthy[i] = true;
            probed[i] = this.targets[i].config() != null;
            // The first probe of each target lands at a random point of its first interval: spreads them out.
            nextProbeNs[i] = probed[i] ?
                now + (long)(random.nextDouble() * this.targets[i].config().interval().toNanos()) : now;
            statuses.set(i, new TargetStatus(this.targets[i], TargetState.UP, null, 0, now, 0, true));
        }
        earliestDueNs = now;
    }

    @Override
    public String roleName()
    {
        return "portgate-health";
    }

    @Override
    public int doWork()
    {
        final long now = clock.nanoTime();
        int work = drainCommands();
        work += transport.poll(now, completion);
        if (passiveFailurePending)
        {
            work += applyPassiveFailures(now);
        }
        if (now - earliestDueNs >= 0)
        {
            work += startDueProbes(now);
        }
        return work;
    }

    @Override
    public void onClose()
    {
        // Drains an operator asked for just before the stop are taken in, so that a reload's snapshot has them.
        drainCommands();
        transport.close();
    }

    /**
     * Counts a failure a forwarder saw on real traffic toward the target's {@code fall}. Safe from any thread,
     * allocation-free.
     *
     * @param targetId the target.
     */
    public void reportPassiveFailure(final int targetId)
    {
        passiveFailures.incrementAndGet(targetId);
        passiveFailurePending = true;
    }

    /**
     * Drains a target (takes nothing new, existing connections finish) or undrains it. Safe from any thread; takes
     * effect on the checker's next duty cycle.
     *
     * @param targetId the target.
     * @param drain    true to drain, false to undrain.
     * @return false when the command queue is full.
     */
    public boolean setDraining(final int targetId, final boolean drain)
    {
        return commands.offer(() -> applyDraining(targetId, drain));
    }

    /**
     * The operator's view of a target. Safe from any thread.
     *
     * @param targetId the target.
     * @return its status.
     */
    public TargetStatus status(final int targetId)
    {
        return statuses.get(targetId);
    }

    /**
     * Starts a target from where an earlier checker left it, so a reload that keeps a target keeps its verdict, its
     * drain and its last probe. Call before the checker runs.
     *
     * @param targetId the target.
     * @param before   its status under the earlier checker.
     * @param drain    whether an operator had drained it.
     */
    public void seed(final int targetId, final TargetStatus before, final boolean drain)
    {
        // A target the new configuration does not probe cannot be brought back up by probes: it starts up.
        healthy[targetId] = before.healthy() || !probed[targetId];
        draining[targetId] = drain;
        probes[targetId] = before.probes();
        statuses.set(targetId, new TargetStatus(targets[targetId], effectiveState(targetId), before.lastResult(),
            before.lastLatencyNs(), before.sinceNs(), before.probes(), healthy[targetId]));
    }

    /**
     * Whether an operator drained a target.
     *
     * @param targetId the target.
     * @return true when drained.
     */
    public boolean isDrained(final int targetId)
    {
        return statuses.get(targetId).state() == TargetState.DRAINING;
    }

    /**
     * How many targets this checker watches.
     *
     * @return the count.
     */
    public int targetCount()
    {
        return targets.length;
    }

    private int drainCommands()
    {
        int work = 0;
        Runnable command;
        while ((command = commands.poll()) != null)
        {
            command.run();
            work++;
        }
        return work;
    }

    private int startDueProbes(final long now)
    {
        int started = 0;
        long earliest = Long.MAX_VALUE;
        for (int i = 0; i < targets.length; i++)
        {
            if (!probed[i])
            {
                continue;
            }
            if (!inFlight[i] && now - nextProbeNs[i] >= 0)
            {
                inFlight[i] = true;
                transport.start(targets[i], now);
                started++;
            }
            if (!inFlight[i])
            {
                earliest = Math.min(earliest, nextProbeNs[i]);
            }
        }
        // While probes are in flight their next deadline is set on completion, which lowers earliestDueNs again.
        earliestDueNs = earliest == Long.MAX_VALUE ? now + 1_000_000_000L : earliest;
        return started;
    }

    private void onProbeEnded(final ProbeTarget target, final ProbeResult result, final long latencyNanos)
    {
        final int id = target.id();
        final long now = clock.nanoTime();
        inFlight[id] = false;
        probes[id]++;
        final long interval = target.config().interval().toNanos();
        final double jitter = (random.nextDouble() * 2 - 1) * JITTER_FRACTION;
        nextProbeNs[id] = now + (long)(interval * (1 + jitter));
        earliestDueNs = Math.min(earliestDueNs, nextProbeNs[id]);
        record(id, result, latencyNanos, now);
    }

    private int applyPassiveFailures(final long now)
    {
        passiveFailurePending = false;
        int work = 0;
        for (int i = 0; i < targets.length; i++)
        {
            int failures = passiveFailures.getAndSet(i, 0);
            // Without active probes nothing could bring a target back up, so passive failures of an unprobed
            // target are not held against it: the forwarders' connect retry is its only protection.
            while (probed[i] && failures-- > 0)
            {
                record(i, ProbeResult.PASSIVE_FAILURE, 0, now);
                work++;
            }
        }
        return work;
    }

    private void record(final int id, final ProbeResult result, final long latencyNanos, final long now)
    {
        final TargetState before = effectiveState(id);
        final ProbeTarget target = targets[id];
        if (result.passed())
        {
            consecutiveFailures[id] = 0;
            if (!healthy[id] && ++consecutiveSuccesses[id] >= target.config().rise())
            {
                healthy[id] = true;
                consecutiveSuccesses[id] = 0;
            }
        }
        else
        {
            consecutiveSuccesses[id] = 0;
            if (healthy[id] && ++consecutiveFailures[id] >= target.config().fall())
            {
                healthy[id] = false;
                consecutiveFailures[id] = 0;
            }
        }
        publish(id, before, result, result, latencyNanos, now);
    }

    private void applyDraining(final int id, final boolean drain)
    {
        final TargetState before = effectiveState(id);
        draining[id] = drain;
        final TargetStatus last = statuses.get(id);
        publish(id, before, null, last.lastResult(), last.lastLatencyNs(), clock.nanoTime());
    }

    private void publish(final int id, final TargetState before, final ProbeResult cause, final ProbeResult result,
        final long latencyNanos, final long now)
    {
        final TargetState after = effectiveState(id);
        final TargetStatus last = statuses.get(id);
        final long since = after == before ? last.sinceNs() : now;
        statuses.set(id, new TargetStatus(targets[id], after, result, latencyNanos, since, probes[id], healthy[id]));
        if (after != before)
        {
            listener.onStateChange(targets[id], before, after, cause);
        }
    }

    private TargetState effectiveState(final int id)
    {
        return draining[id] ? TargetState.DRAINING : healthy[id] ? TargetState.UP : TargetState.DOWN;
    }
}
