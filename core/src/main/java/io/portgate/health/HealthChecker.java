package io.portgate.health;

import io.portgate.spi.ProbeResult;

import io.portgate.spi.TargetState;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.NanoClock;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;

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
 * <p>Each target's state lives in a {@link Target} of its own, which a reload that keeps the target keeps
 * ({@link #retarget}): its verdict, drain and probe schedule carry on because nothing is handed over.
 *
 * <p>The clock is injected, so tests step thresholds without sleeping. State changes go to a {@link HealthListener}
 * on this agent's thread; {@link #status(int)} may be read from any thread.
 */
public final class HealthChecker implements Agent
{
    /** Probes run at interval x (1 +/- this), at random. */
    public static final double JITTER_FRACTION = 0.1;
    /** How many operator commands (drains from any thread) may wait for the checker's next duty cycle. */
    public static final int COMMAND_CAPACITY = 1024;
    /**
     * How long the checker waits at most before looking for due probes again when none is due. Only a safety net:
     * scheduling a probe (a new target, a probe's end) brings the next look forward, and a conductor that sleeps until
     * {@link #nextDeadlineNs} should not wake for nothing.
     */
    private static final long IDLE_RECHECK_NS = 10_000_000_000L;

    /** One target's health: its verdict, an operator's drain, its probe schedule and its last result. */
    public static final class Target
    {
        private final HealthChecker owner;
        private final AtomicInteger passiveFailures = new AtomicInteger();
        private ProbeTarget probe;
        private boolean probed;
        private boolean healthy = true;
        private boolean draining;
        private boolean retired;
        private int consecutiveSuccesses;
        private int consecutiveFailures;
        private long nextProbeNs;
        private boolean inFlight;
        private long probes;
        private String lastDetail;
        private volatile TargetStatus status;

        private Target(final HealthChecker owner, final ProbeTarget probe, final long nowNs)
        {
            this.owner = owner;
            // Targets start up, as HAProxy's do: a dead one goes down after `fall` failures, and until then the
            // forwarders' connect retry covers it, so clients lose nothing while the first verdicts come in.
            this.status = new TargetStatus(probe, TargetState.UP, null, 0, nowNs, 0, true);
            configure(probe, nowNs);
        }

        private void configure(final ProbeTarget next, final long nowNs)
        {
            final boolean sameProbe = probe != null && Objects.equals(probe.config(), next.config()) &&
                probe.probeAt().equals(next.probeAt());
            probe = next;
            probed = next.config() != null;
            // A target the configuration does not probe cannot be brought back up by probes: it is up.
            healthy |= !probed;
            if (!sameProbe)
            {
                consecutiveSuccesses = 0;
                consecutiveFailures = 0;
                // The first probe lands at a random point of its first interval: spreads them out.
                nextProbeNs = probed ? nowNs + (long)(owner.random.nextDouble() * next.config().interval().toNanos()) :
                    nowNs;
                owner.earliestDueNs = Math.min(owner.earliestDueNs, nextProbeNs);
            }
            final TargetStatus last = status;
            status = new TargetStatus(next, state(), last.lastResult(), last.lastLatencyNs(), last.sinceNs(),
                probes, healthy);
        }

        /**
         * Counts a failure a forwarder saw on real traffic toward the target's {@code fall}. Safe from any thread,
         * allocation-free.
         */
        public void reportPassiveFailure()
        {
            passiveFailures.incrementAndGet();
            if (!owner.passiveFailurePending)
            {
                owner.passiveFailurePending = true;
                // Once per duty cycle of the checker at most, however many failures: it counts them all when it
                // wakes, and a sleeping conductor should not wait for its next deadline to hear of a dead target.
                owner.transport.wakeup();
            }
        }

        /** @return the operator's view; safe from any thread. */
        public TargetStatus status()
        {
            return status;
        }

        private TargetState state()
        {
            return draining ? TargetState.DRAINING : healthy ? TargetState.UP : TargetState.DOWN;
        }
    }

    private final ProbeTransport transport;
    private final NanoClock clock;
    private final HealthListener listener;
    private final SplittableRandom random;
    private final ManyToOneConcurrentArrayQueue<Runnable> commands =
        new ManyToOneConcurrentArrayQueue<>(COMMAND_CAPACITY);
    private final ProbeTransport.Completion completion = this::onProbeEnded;
    /** The target each probe in flight is for, by the probe it was started with (a reload may have replaced it). */
    private final IdentityHashMap<ProbeTarget, Target> inFlight = new IdentityHashMap<>();
    private Target[] targets;
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
        this.transport = transport;
        this.clock = clock;
        this.listener = listener;
        this.random = new SplittableRandom(seed);
        this.earliestDueNs = clock.nanoTime();
        final List<Target> none = new ArrayList<>();
        for (int i = 0; i < targets.size(); i++)
        {
            none.add(null);
        }
        retarget(targets, none);
    }

    /**
     * Switches to another set of targets, as a reload does: {@code probes} are the targets now (ids 0..n-1 in
     * order), and {@code kept.get(i)} is the {@link Target} that probe {@code i} continues, or null for a new target,
     * which starts up. A kept target keeps its verdict, drain and schedule (a changed probe is scheduled anew);
     * targets not kept are dropped, and a probe of theirs still in flight is ignored. Checker thread only.
     *
     * @param probes the targets now.
     * @param kept   by probe, the target it continues, or null.
     * @return by probe, its target.
     */
    public List<Target> retarget(final List<ProbeTarget> probes, final List<Target> kept)
    {
        final long now = clock.nanoTime();
        final Target[] next = new Target[probes.size()];
        for (int i = 0; i < next.length; i++)
        {
            if (probes.get(i).id() != i)
            {
                throw new IllegalArgumentException("probe target ids must be 0..n-1 in order, found " +
                    probes.get(i).id() + " at " + i);
            }
            final Target target = kept.get(i);
            if (target != null)
            {
                target.configure(probes.get(i), now);
            }
            next[i] = target != null ? target : new Target(this, probes.get(i), now);
        }
        if (targets != null)
        {
            final java.util.Set<Target> staying = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
            staying.addAll(java.util.Arrays.asList(next));
            for (final Target target : targets)
            {
                target.retired = !staying.contains(target);
            }
        }
        targets = next;
        return List.of(next);
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

    /**
     * When {@link #doWork()} has something to do next if nothing arrives sooner: a command or a passive failure
     * waiting now, the next probe due (its jitter included), or the next poll of the probes in flight.
     *
     * @param nowNs the current time.
     * @return the deadline, on the checker's clock; {@code nowNs} or earlier when there is work now.
     */
    public long nextDeadlineNs(final long nowNs)
    {
        if (passiveFailurePending || !commands.isEmpty())
        {
            return nowNs;
        }
        long next = earliestDueNs;
        if (!inFlight.isEmpty())
        {
            final long poll = transport.pollDeadlineNs(nowNs);
            next = poll - next < 0 ? poll : next;
        }
        return next;
    }

    /**
     * Sleeps in the probe transport: until a probe in flight may have progressed, {@link #wakeup()}, or the timeout.
     * Checker thread only.
     *
     * @param timeoutNs the longest sleep, above 0.
     */
    public void await(final long timeoutNs)
    {
        transport.await(timeoutNs);
    }

    /** Ends an {@link #await} early, or makes the next one return at once. Any thread. */
    public void wakeup()
    {
        transport.wakeup();
    }

    @Override
    public void onClose()
    {
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
        targets[targetId].reportPassiveFailure();
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
        final Target target = targets[targetId];
        return commands.offer(() -> setDraining(target, drain));
    }

    /**
     * Drains or undrains a target at once. Checker thread only.
     *
     * @param target the target.
     * @param drain  true to drain, false to undrain.
     */
    public void setDraining(final Target target, final boolean drain)
    {
        final TargetState before = target.state();
        target.draining = drain;
        final TargetStatus last = target.status;
        publish(target, before, null, last.lastResult(), last.lastLatencyNs(), clock.nanoTime());
    }

    /**
     * The operator's view of a target. Safe from any thread.
     *
     * @param targetId the target.
     * @return its status.
     */
    public TargetStatus status(final int targetId)
    {
        return targets[targetId].status;
    }

    /**
     * A target's health.
     *
     * @param targetId the target.
     * @return its health.
     */
    public Target target(final int targetId)
    {
        return targets[targetId];
    }

    /**
     * Whether an operator drained a target.
     *
     * @param targetId the target.
     * @return true when drained.
     */
    public boolean isDrained(final int targetId)
    {
        return targets[targetId].status.state() == TargetState.DRAINING;
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
        for (final Target target : targets)
        {
            if (!target.probed)
            {
                continue;
            }
            if (!target.inFlight && now - target.nextProbeNs >= 0)
            {
                target.inFlight = true;
                inFlight.put(target.probe, target);
                transport.start(target.probe, now);
                started++;
            }
            if (!target.inFlight)
            {
                earliest = Math.min(earliest, target.nextProbeNs);
            }
        }
        // While probes are in flight their next deadline is set on completion, which lowers earliestDueNs again.
        earliestDueNs = earliest == Long.MAX_VALUE ? now + IDLE_RECHECK_NS : earliest;
        return started;
    }

    private void onProbeEnded(final ProbeTarget probe, final ProbeResult result, final long latencyNanos,
        final String detail)
    {
        final Target target = inFlight.remove(probe);
        if (target == null || target.retired)
        {
            return;
        }
        target.lastDetail = detail;
        final long now = clock.nanoTime();
        target.inFlight = false;
        target.probes++;
        if (!target.probed)
        {
            return;
        }
        final long interval = target.probe.config().interval().toNanos();
        final double jitter = (random.nextDouble() * 2 - 1) * JITTER_FRACTION;
        target.nextProbeNs = now + (long)(interval * (1 + jitter));
        earliestDueNs = Math.min(earliestDueNs, target.nextProbeNs);
        record(target, result, latencyNanos, now);
    }

    private int applyPassiveFailures(final long now)
    {
        passiveFailurePending = false;
        int work = 0;
        for (final Target target : targets)
        {
            int failures = target.passiveFailures.getAndSet(0);
            // Without active probes nothing could bring a target back up, so passive failures of an unprobed
            // target are not held against it: the forwarders' connect retry is its only protection.
            while (target.probed && failures-- > 0)
            {
                target.lastDetail = "a connect failure, reset or ICMP unreachable on real traffic";
                record(target, ProbeResult.PASSIVE_FAILURE, 0, now);
                work++;
            }
        }
        return work;
    }

    private void record(final Target target, final ProbeResult result, final long latencyNanos, final long now)
    {
        final TargetState before = target.state();
        if (!result.countsAgainstTarget())
        {
            // The balancer's own failure: neither a success nor a failure of the target; only shown as the last result.
            publish(target, before, result, result, latencyNanos, now);
            return;
        }
        if (result.passed())
        {
            target.consecutiveFailures = 0;
            if (!target.healthy && ++target.consecutiveSuccesses >= target.probe.config().rise())
            {
                target.healthy = true;
                target.consecutiveSuccesses = 0;
            }
        }
        else
        {
            target.consecutiveSuccesses = 0;
            if (target.healthy && ++target.consecutiveFailures >= target.probe.config().fall())
            {
                target.healthy = false;
                target.consecutiveFailures = 0;
            }
        }
        publish(target, before, result, result, latencyNanos, now);
    }

    private void publish(final Target target, final TargetState before, final ProbeResult cause,
        final ProbeResult result, final long latencyNanos, final long now)
    {
        final TargetState after = target.state();
        final TargetStatus last = target.status;
        final long since = after == before ? last.sinceNs() : now;
        target.status = new TargetStatus(target.probe, after, result, latencyNanos, since, target.probes,
            target.healthy);
        if (after != before)
        {
            listener.onStateChange(target.probe, before, after, cause, reason(target, before, after, cause));
        }
    }

    /** Why a target changed state, in words, for logs and events. */
    private static String reason(final Target target, final TargetState before, final TargetState after,
        final ProbeResult cause)
    {
        if (cause == null)
        {
            return after == TargetState.DRAINING ? "drained by an operator" :
                before == TargetState.DRAINING ? "undrained by an operator" : "an operator's change";
        }
        final String detail = target.lastDetail != null ? ": " + target.lastDetail : "";
        final io.portgate.config.HealthConfig config = target.probe.config();
        if (after == TargetState.DOWN)
        {
            return (config != null ? config.fall() + " consecutive failed probe(s), the last " : "last result ") +
                cause.label() + detail;
        }
        return (config != null ? config.rise() + " consecutive passing probe(s), the last " : "last result ") +
            cause.label() + detail;
    }
}
