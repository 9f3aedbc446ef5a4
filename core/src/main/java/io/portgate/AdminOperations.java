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
    /** The admin-allow list last compiled, and its table: rebuilt when a reload changes the list. */
    private io.portgate.config.CidrConfig allowList;
    private io.portgate.access.CidrTable allowTable;

    AdminOperations(final Portgate portgate)
    {
        this.portgate = portgate;
    }

    @Override
    public synchronized boolean mayRead(final java.net.InetAddress client)
    {
        final io.portgate.config.CidrConfig list = portgate.config().adminAllow();
        if (list == null)
        {
            return false;
        }
        if (!list.equals(allowList))
        {
            allowTable = io.portgate.access.CidrList.parse(list.name(), list.entries()).table();
            allowList = list;
        }
        return allowTable.contains(io.portgate.net.Ip.high(client), io.portgate.net.Ip.low(client));
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
