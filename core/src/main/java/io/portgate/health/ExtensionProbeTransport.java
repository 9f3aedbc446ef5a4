package io.portgate.health;

import io.portgate.spi.Extensions;
import io.portgate.spi.HealthProbe;
import io.portgate.spi.ProbeCallback;
import io.portgate.spi.ProbeRequest;
import io.portgate.spi.ProbeResult;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Carries probes of pools whose {@code health.protocol} names a registered {@link HealthProbe}, and hands the others
 * to the built-in transport. A registered probe reports through a callback from any thread; the report waits in a
 * queue for the checker's next {@link #poll}, so the checker's thread alone ever sees a probe end. A probe that has
 * not reported by its timeout ends as {@link ProbeResult#TIMEOUT}, and its late report is ignored.
 */
public final class ExtensionProbeTransport implements ProbeTransport
{
    private static final System.Logger LOG = System.getLogger("io.portgate");

    private final ProbeTransport builtIn;
    private final Extensions extensions;
    private final ConcurrentLinkedQueue<Report> reports = new ConcurrentLinkedQueue<>();
    private final List<Pending> inFlight = new ArrayList<>();

    /**
     * Wraps the built-in transport.
     *
     * @param builtIn    carries the probes of the built-in protocols.
     * @param extensions the registered probes.
     */
    public ExtensionProbeTransport(final ProbeTransport builtIn, final Extensions extensions)
    {
        this.builtIn = Objects.requireNonNull(builtIn, "builtIn");
        this.extensions = Objects.requireNonNull(extensions, "extensions");
    }

    /** What a registered probe reported, waiting for the checker's thread. */
    private record Report(Pending pending, ProbeResult result, String detail)
    {
    }

    /** One probe a registered probe is making: the callback it reports through. */
    private final class Pending implements ProbeCallback
    {
        final ProbeTarget target;
        final long startNs;
        final long deadlineNs;
        final AtomicBoolean reported = new AtomicBoolean();

        Pending(final ProbeTarget target, final long startNs)
        {
            this.target = target;
            this.startNs = startNs;
            this.deadlineNs = startNs + target.config().timeout().toNanos();
        }

        @Override
        public void succeeded(final String detail)
        {
            if (reported.compareAndSet(false, true))
            {
                reports.offer(new Report(this, ProbeResult.OK, detail));
            }
        }

        @Override
        public void failed(final ProbeResult result, final String reason)
        {
            if (reported.compareAndSet(false, true))
            {
                final boolean failure = result == ProbeResult.REFUSED || result == ProbeResult.TIMEOUT ||
                    result == ProbeResult.BAD_REPLY || result == ProbeResult.ERROR;
                reports.offer(new Report(this, failure ? result : ProbeResult.ERROR, reason));
            }
        }
    }

    @Override
    public void start(final ProbeTarget target, final long nowNs)
    {
        final String name = target.config().probe();
        if (name == null)
        {
            builtIn.start(target, nowNs);
            return;
        }
        final Pending pending = new Pending(target, nowNs);
        inFlight.add(pending);
        final HealthProbe probe = extensions.probe(name);
        if (probe == null)
        {
            pending.failed(ProbeResult.ERROR, "no health probe named '" + name + "' is registered");
            return;
        }
        try
        {
            probe.probe(new ProbeRequest(target.pool(), target.target(), target.probeAt(), target.config().timeout()),
                pending);
        }
        catch (final RuntimeException ex)
        {
            LOG.log(System.Logger.Level.WARNING, "health probe ''" + name + "'' threw", ex);
            pending.failed(ProbeResult.ERROR, "the probe threw " + ex);
        }
    }

    @Override
    public int poll(final long nowNs, final Completion completion)
    {
        int work = builtIn.poll(nowNs, completion);
        if (inFlight.isEmpty())
        {
            return work;
        }
        Report report;
        while ((report = reports.poll()) != null)
        {
            if (inFlight.remove(report.pending()))
            {
                completion.complete(report.pending().target, report.result(), nowNs - report.pending().startNs,
                    report.detail());
                work++;
            }
        }
        for (int i = inFlight.size() - 1; i >= 0; i--)
        {
            final Pending pending = inFlight.get(i);
            if (nowNs - pending.deadlineNs >= 0 && pending.reported.compareAndSet(false, true))
            {
                inFlight.remove(i);
                completion.complete(pending.target, ProbeResult.TIMEOUT, nowNs - pending.startNs,
                    "no report within " + io.portgate.config.Units.formatDuration(pending.target.config().timeout()));
                work++;
            }
        }
        return work;
    }

    @Override
    public void close()
    {
        inFlight.clear();
        reports.clear();
        builtIn.close();
    }
}
