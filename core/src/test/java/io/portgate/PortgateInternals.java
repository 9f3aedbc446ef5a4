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
}
