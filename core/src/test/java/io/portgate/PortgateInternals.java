package io.portgate;

import io.portgate.metrics.MetricsReader;

/** What tests of other packages may reach of a running balancer beyond its public API. */
public final class PortgateInternals
{
    private PortgateInternals()
    {
    }

    /**
     * The balancer's live counters.
     *
     * @param portgate the balancer.
     * @return a reader over them.
     */
    public static MetricsReader metrics(final Portgate portgate)
    {
        return portgate.metrics();
    }

    /**
     * The balancer's access log.
     *
     * @param portgate the balancer.
     * @return its queues and writer.
     */
    public static io.portgate.access.AccessLog accessLog(final Portgate portgate)
    {
        return portgate.accessLog();
    }
}
