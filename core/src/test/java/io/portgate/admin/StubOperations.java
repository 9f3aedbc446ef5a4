package io.portgate.admin;

import io.portgate.PortgateStats;
import io.portgate.ReloadResult;
import io.portgate.TargetView;
import io.portgate.spi.ProbeResult;
import io.portgate.spi.TargetState;
import io.portgate.metrics.MetricsFile;
import io.portgate.metrics.MetricsReader;
import org.HdrHistogram.Histogram;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * What the admin endpoint operates on, for tests of the endpoint alone: a pool of targets held in memory, real (empty)
 * counters, and a reload that does what the test says.
 */
final class StubOperations implements AdminServer.Operations
{
    private final MetricsFile metrics = MetricsFile.inMemory(16);
    private final List<TargetView> targets = new ArrayList<>();
    private volatile Supplier<ReloadResult> reload = () -> new ReloadResult(1, List.of(), List.of());
    private volatile boolean failed;
    final AtomicInteger drains = new AtomicInteger();
    final AtomicInteger weights = new AtomicInteger();
    final AtomicInteger reloads = new AtomicInteger();

    /**
     * Operations with {@code count} targets in pool {@code web}, 127.0.0.1 from port 10000 up.
     *
     * @param count how many targets.
     */
    StubOperations(final int count)
    {
        for (int i = 0; i < count; i++)
        {
            targets.add(new TargetView("web", i, "127.0.0.1:" + (10_000 + i), 1, "none", TargetState.UP,
                ProbeResult.OK, Duration.ofMillis(1), Duration.ofSeconds(5)));
        }
    }

    StubOperations reloadWith(final Supplier<ReloadResult> value)
    {
        reload = value;
        return this;
    }

    @Override
    public PortgateStats stats()
    {
        return new PortgateStats(List.of(), 0, 0, 0, 0);
    }

    @Override
    public synchronized List<TargetView> targets()
    {
        return List.copyOf(targets);
    }

    @Override
    public MetricsReader metrics()
    {
        return metrics.reader();
    }

    @Override
    public void drain(final String pool, final String target, final boolean drain)
    {
        replace(pool, target, v -> new TargetView(v.pool(), v.index(), v.target(), v.weight(), v.probe(),
            drain ? TargetState.DRAINING : TargetState.UP, v.lastResult(), v.lastLatency(), v.inState()));
        drains.incrementAndGet();
    }

    @Override
    public void weight(final String pool, final String target, final int weight)
    {
        replace(pool, target, v -> new TargetView(v.pool(), v.index(), v.target(), weight, v.probe(), v.state(),
            v.lastResult(), v.lastLatency(), v.inState()));
        weights.incrementAndGet();
    }

    private synchronized void replace(final String pool, final String target,
        final java.util.function.UnaryOperator<TargetView> change)
    {
        requireTarget(pool, target);
        targets.replaceAll(v -> v.pool().equals(pool) && v.target().equals(target) ? change.apply(v) : v);
    }

    private void requireTarget(final String pool, final String target)
    {
        if (targets().stream().noneMatch(v -> v.pool().equals(pool) && v.target().equals(target)))
        {
            throw new IllegalArgumentException("pool '" + pool + "' has no target '" + target + "'");
        }
    }

    @Override
    public Map<String, Histogram> connectLatencies()
    {
        return Map.of();
    }

    @Override
    public io.portgate.InstanceHealth health()
    {
        return new io.portgate.InstanceHealth(!failed, failed ? List.of(io.portgate.InstanceHealth.FAILED_BY_OPERATOR) :
            List.of());
    }

    @Override
    public void failHealth(final boolean value)
    {
        failed = value;
    }

    @Override
    public ReloadResult reload()
    {
        reloads.incrementAndGet();
        return reload.get();
    }
}
