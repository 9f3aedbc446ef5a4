package io.portgate.loop;

import io.portgate.metrics.LocalFailureReport;
import org.agrona.ErrorHandler;

import java.util.concurrent.TimeUnit;

/**
 * Reports the balancer's own failures ({@link LocalFailure}) once per burst: the first of a reason goes to the error
 * handler (which logs each kind once and keeps the count that {@code portgate stat --errors} shows), the next ones of
 * that reason within a second only to the counters their caller keeps. Out of descriptors, every new connection
 * fails the same way; one line per connection would flood the log and cost more than the failure. One per loop,
 * owned by its thread; allocates only when it reports.
 */
public final class LocalFailureLog
{
    /** A reason is reported at most once in this long. */
    public static final long REPORT_INTERVAL_NS = TimeUnit.SECONDS.toNanos(1);

    private final long[] lastReportNs = new long[LocalFailure.COUNT];
    private final boolean[] reported = new boolean[LocalFailure.COUNT];
    private final long[] suppressed = new long[LocalFailure.COUNT];

    /**
     * A local failure happened; reported unless one of its reason was within the last second.
     *
     * @param reason what {@link LocalFailure#classify} said.
     * @param doing  what failed, as "opening a socket to a target" (a constant, so the reports of a kind are one).
     * @param error  the exception.
     * @param errors where reports go.
     * @param nowNs  the loop's clock.
     * @return true when this one was reported.
     */
    public boolean onFailure(final int reason, final String doing, final Throwable error, final ErrorHandler errors,
        final long nowNs)
    {
        if (reported[reason] && nowNs - lastReportNs[reason] < REPORT_INTERVAL_NS)
        {
            suppressed[reason]++;
            return false;
        }
        reported[reason] = true;
        lastReportNs[reason] = nowNs;
        suppressed[reason] = 0;
        errors.onError(new LocalFailureReport("the balancer's own failure (" + LocalFailure.name(reason) + ") " + doing +
            ": " + LocalFailure.text(reason) + "; counted as portgate_local_failures_total{reason=\"" +
            LocalFailure.name(reason) + "\"} and not charged to any target (reported at most once a second)", error));
        return true;
    }

    /**
     * Failures of a reason not reported since its last report.
     *
     * @param reason a reason.
     * @return how many.
     */
    public long suppressed(final int reason)
    {
        return suppressed[reason];
    }
}
