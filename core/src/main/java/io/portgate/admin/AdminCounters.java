package io.portgate.admin;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * What the admin endpoint did with its connections and requests, counted by its loop thread and readable from any
 * thread. {@code GET /metrics} reports them as {@code portgate_admin_*} series.
 */
public final class AdminCounters
{
    /** How a connection ended other than by its client closing it or asking for {@code Connection: close}. */
    public enum Closed
    {
        /** A kept-alive connection idle past the idle timeout. */
        IDLE_TIMEOUT,
        /** The request's header did not arrive within the header timeout (answered 408 when it had begun). */
        HEADER_TIMEOUT,
        /** The request's body did not arrive within the request timeout (answered 408). */
        REQUEST_TIMEOUT,
        /** The client did not take the response within the write timeout. */
        WRITE_TIMEOUT,
        /** At the connection cap, closed to make room for a newer connection. */
        EVICTED,
        /** At the connection cap with every slot carrying out a request: answered 503 and closed at once. */
        REFUSED;

        private final String label = name().toLowerCase(java.util.Locale.ROOT);

        /** @return the {@code reason} label: the name in lower case. */
        public String label()
        {
            return label;
        }
    }

    private static final HttpRejection[] REJECTIONS = HttpRejection.values();
    private static final Closed[] CLOSED = Closed.values();

    private final AtomicLongArray rejected = new AtomicLongArray(REJECTIONS.length);
    private final AtomicLongArray closed = new AtomicLongArray(CLOSED.length);
    private final AtomicLongArray totals = new AtomicLongArray(3);
    private static final int ACCEPTED = 0;
    private static final int ANSWERED = 1;
    private static final int ACCEPT_FAILURES = 2;

    void accepted()
    {
        totals.incrementAndGet(ACCEPTED);
    }

    void answered()
    {
        totals.incrementAndGet(ANSWERED);
    }

    void acceptFailed()
    {
        totals.incrementAndGet(ACCEPT_FAILURES);
    }

    void rejected(final HttpRejection why)
    {
        rejected.incrementAndGet(why.ordinal());
    }

    void closed(final Closed why)
    {
        closed.incrementAndGet(why.ordinal());
    }

    /** @return connections accepted since start. */
    public long acceptedConnections()
    {
        return totals.get(ACCEPTED);
    }

    /** @return responses sent, rejections included. */
    public long answeredRequests()
    {
        return totals.get(ANSWERED);
    }

    /** @return accepts that failed (out of file descriptors, say); accepting pauses briefly after each. */
    public long acceptFailures()
    {
        return totals.get(ACCEPT_FAILURES);
    }

    /**
     * Requests refused before reaching an endpoint, by the {@code reason} label of {@code /metrics}.
     *
     * @param reason {@code bad_request}, {@code length_required}, {@code body_too_large}, {@code uri_too_long},
     *               {@code header_too_large}, {@code version_not_supported}, {@code timeout} or {@code busy}.
     * @return the count.
     */
    public long rejectedRequests(final String reason)
    {
        long sum = 0;
        for (final HttpRejection r : REJECTIONS)
        {
            if (r.reason().equals(reason))
            {
                sum += rejected.get(r.ordinal());
            }
        }
        return sum;
    }

    /** @return every request refused before reaching an endpoint, whatever the reason. */
    public long rejectedRequests()
    {
        long sum = 0;
        for (int i = 0; i < REJECTIONS.length; i++)
        {
            sum += rejected.get(i);
        }
        return sum;
    }

    /**
     * Connections the endpoint closed, by why.
     *
     * @param why the reason.
     * @return the count.
     */
    public long closedConnections(final Closed why)
    {
        return closed.get(why.ordinal());
    }

    /**
     * The counters as Prometheus text, to follow the balancer's own in {@code /metrics}.
     *
     * @return the text, ending in a newline.
     */
    public String prometheus()
    {
        final StringBuilder sb = new StringBuilder(1024);
        sb.append("# HELP portgate_admin_connections_total Connections the admin endpoint accepted\n")
            .append("# TYPE portgate_admin_connections_total counter\n")
            .append("portgate_admin_connections_total ").append(acceptedConnections()).append('\n')
            .append("# HELP portgate_admin_requests_total Requests the admin endpoint answered, rejections " +
                "included\n")
            .append("# TYPE portgate_admin_requests_total counter\n")
            .append("portgate_admin_requests_total ").append(answeredRequests()).append('\n')
            .append("# HELP portgate_admin_rejected_requests_total Requests refused before reaching an endpoint\n")
            .append("# TYPE portgate_admin_rejected_requests_total counter\n");
        final java.util.Set<String> reasons = new java.util.LinkedHashSet<>();
        for (final HttpRejection r : REJECTIONS)
        {
            reasons.add(r.reason());
        }
        for (final String reason : reasons)
        {
            sb.append("portgate_admin_rejected_requests_total{reason=\"").append(reason).append("\"} ")
                .append(rejectedRequests(reason)).append('\n');
        }
        sb.append("# HELP portgate_admin_closed_connections_total Admin connections the endpoint closed itself\n")
            .append("# TYPE portgate_admin_closed_connections_total counter\n");
        for (final Closed c : CLOSED)
        {
            sb.append("portgate_admin_closed_connections_total{reason=\"").append(c.label()).append("\"} ")
                .append(closedConnections(c)).append('\n');
        }
        sb.append("# HELP portgate_admin_accept_failures_total Accepts of admin connections that failed\n")
            .append("# TYPE portgate_admin_accept_failures_total counter\n")
            .append("portgate_admin_accept_failures_total ").append(acceptFailures()).append('\n');
        return sb.toString();
    }
}
