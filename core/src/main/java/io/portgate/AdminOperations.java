package io.portgate;

import io.portgate.admin.AdminServer;
import io.portgate.metrics.MetricsReader;
import org.HdrHistogram.Histogram;

import java.util.List;
import java.util.Map;

/** What the admin endpoint does to a balancer: each call is the facade's own method of that name. */
final class AdminOperations implements AdminServer.Operations
{
    private final Portgate portgate;

    AdminOperations(final Portgate portgate)
    {
        this.portgate = portgate;
    }

    @Override
    public PortgateStats stats()
    {
        return portgate.stats();
    }

    @Override
    public List<TargetView> targets()
    {
        return portgate.targets();
    }

    @Override
    public MetricsReader metrics()
    {
        return portgate.metrics();
    }

    @Override
    public void drain(final String pool, final String target, final boolean drain)
    {
        if (drain)
        {
            portgate.drain(pool, target);
        }
        else
        {
            portgate.undrain(pool, target);
        }
    }

    @Override
    public void weight(final String pool, final String target, final int weight)
    {
        portgate.weight(pool, target, weight);
    }

    @Override
    public Map<String, Histogram> connectLatencies()
    {
        return portgate.latencies(false);
    }

    @Override
    public Map<String, Histogram> firstByteLatencies()
    {
        return portgate.latencies(true);
    }

    @Override
    public InstanceHealth health()
    {
        return portgate.health();
    }

    @Override
    public void failHealth(final boolean failed)
    {
        portgate.failHealth(failed);
    }

    @Override
    public ReloadResult reload()
    {
        return portgate.reload();
    }
}
