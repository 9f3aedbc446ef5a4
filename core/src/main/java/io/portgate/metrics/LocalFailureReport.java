package io.portgate.metrics;

import java.io.IOException;

/**
 * A report of the balancer's own failures (out of file descriptors, buffers, memory or source ports), made once per
 * burst of them: the {@link ErrorLog} keeps it as it keeps unexpected errors, with how often it happened, but logs it
 * as what it is. Its cause is the failure as the JDK reported it.
 */
public final class LocalFailureReport extends IOException
{
    private static final long serialVersionUID = 1L;

    /**
     * A report.
     *
     * @param message what failed and how it is counted; the same for every report of a kind.
     * @param cause   the failure.
     */
    public LocalFailureReport(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
