package io.portgate.metrics;

/**
 * Every metric portgate exports, with its Prometheus name, type and help. The type id in the counters file is
 * {@code ordinal() + 1}, so new metrics are added at the end.
 */
public enum Metric
{
    /** TCP connections open now, per listener. */
    TCP_CONNECTIONS_ACTIVE("portgate_tcp_connections_active", Type.GAUGE, "TCP connections open now"),
    /** TCP connections accepted, per listener. */
    TCP_CONNECTIONS("portgate_tcp_connections_total", Type.COUNTER, "TCP connections accepted"),
    /** TCP connections closed because no target could be reached. */
    TCP_CONNECTIONS_REFUSED("portgate_tcp_connections_refused_total", Type.COUNTER,
        "TCP connections closed because no target could be reached"),
    /** TCP connections closed at once because a connection limit was reached. */
    TCP_CONNECTIONS_REJECTED("portgate_tcp_connections_rejected_total", Type.COUNTER,
        "TCP connections closed at once because a connection limit was reached"),
    /** TCP connections closed by the idle timeout. */
    TCP_IDLE_TIMEOUTS("portgate_tcp_idle_timeouts_total", Type.COUNTER, "TCP connections closed by the idle timeout"),
    /** TCP connections reset because one side reset or failed. */
    TCP_RESETS("portgate_tcp_resets_total", Type.COUNTER, "TCP connections reset because one side reset or failed"),
    /** Bytes from clients to targets. */
    BYTES_RECEIVED("portgate_received_bytes_total", Type.COUNTER, "Bytes received from clients and forwarded"),
    /** Bytes from targets back to clients. */
    BYTES_SENT("portgate_sent_bytes_total", Type.COUNTER, "Bytes received from targets and sent to clients"),
    /** Failed connects to a target. */
    TARGET_CONNECT_FAILURES("portgate_target_connect_failures_total", Type.COUNTER,
        "Failed connects to a target (refused, timed out, unreachable)"),
    /** Connections open to a target now. */
    TARGET_CONNECTIONS_ACTIVE("portgate_target_connections_active", Type.GAUGE, "Connections open to a target now"),
    /** Connections established to a target. */
    TARGET_CONNECTIONS("portgate_target_connections_total", Type.COUNTER, "Connections established to a target"),
    /** UDP flows open now. */
    UDP_FLOWS_ACTIVE("portgate_udp_flows_active", Type.GAUGE, "UDP flows open now"),
    /** UDP flows created. */
    UDP_FLOWS("portgate_udp_flows_total", Type.COUNTER, "UDP flows created"),
    /** Datagrams from clients forwarded to targets. */
    DATAGRAMS_RECEIVED("portgate_received_datagrams_total", Type.COUNTER,
        "Datagrams received from clients and forwarded"),
    /** Datagrams from targets sent back to clients. */
    DATAGRAMS_SENT("portgate_sent_datagrams_total", Type.COUNTER, "Datagrams received from targets and sent to clients"),
    /** Datagrams dropped, by reason. */
    DATAGRAMS_DROPPED("portgate_dropped_datagrams_total", Type.COUNTER, "Datagrams dropped, by reason"),
    /** Health state changes of a target. */
    HEALTH_CHANGES("portgate_target_health_changes_total", Type.COUNTER, "Health state changes of a target"),
    /** Whether a target is up (1), down (0) or draining (2). */
    TARGET_STATE("portgate_target_state", Type.GAUGE, "Target state: 1 up, 0 down, 2 draining"),
    /** Failed connects to targets, per listener. */
    TCP_CONNECT_FAILURES("portgate_tcp_connect_failures_total", Type.COUNTER,
        "Failed connects to targets (refused, timed out, unreachable)"),
    /** Bytes forwarded to a target. */
    TARGET_BYTES_SENT("portgate_target_sent_bytes_total", Type.COUNTER, "Bytes forwarded to a target"),
    /** Bytes received from a target. */
    TARGET_BYTES_RECEIVED("portgate_target_received_bytes_total", Type.COUNTER, "Bytes received from a target"),
    /** Connects a target refused. */
    TARGET_CONNECT_REFUSED("portgate_target_connect_refused_total", Type.COUNTER, "Connects a target refused"),
    /** When a target entered its state. */
    TARGET_STATE_SINCE("portgate_target_state_since_seconds", Type.GAUGE,
        "When the target entered its state, seconds since the epoch"),
    /** How long the last probe of a target took. */
    TARGET_PROBE_LATENCY("portgate_target_probe_latency_microseconds", Type.GAUGE,
        "How long the last health probe of a target took"),
    /** How the last probe ended. */
    TARGET_PROBE_RESULT("portgate_target_probe_result", Type.GAUGE,
        "How the last probe ended: 0 none yet, 1 ok, 2 refused, 3 timeout, 4 bad reply, 5 error, 6 passive failure"),
    /** UDP flows evicted because the flow table was full. */
    UDP_FLOWS_EVICTED("portgate_udp_flows_evicted_total", Type.COUNTER,
        "UDP flows evicted, longest idle first, because the flow table was full"),
    /** UDP flows closed by the idle timeout. */
    UDP_FLOWS_EXPIRED("portgate_udp_flows_expired_total", Type.COUNTER, "UDP flows closed by the idle timeout"),
    /** ICMP port unreachables from targets, per listener. */
    UDP_UNREACHABLE("portgate_udp_unreachable_total", Type.COUNTER,
        "ICMP port unreachables targets answered with"),
    /** UDP flows open to a target now. */
    TARGET_FLOWS_ACTIVE("portgate_target_flows_active", Type.GAUGE, "UDP flows open to a target now"),
    /** UDP flows opened to a target. */
    TARGET_FLOWS("portgate_target_flows_total", Type.COUNTER, "UDP flows opened to a target"),
    /** Datagrams forwarded to a target. */
    TARGET_DATAGRAMS_SENT("portgate_target_sent_datagrams_total", Type.COUNTER, "Datagrams forwarded to a target"),
    /** Datagrams received from a target. */
    TARGET_DATAGRAMS_RECEIVED("portgate_target_received_datagrams_total", Type.COUNTER,
        "Datagrams received from a target"),
    /** ICMP port unreachables from a target. */
    TARGET_UNREACHABLE("portgate_target_unreachable_total", Type.COUNTER,
        "ICMP port unreachables a target answered with"),
    /** Configuration reloads, by result. */
    RELOADS("portgate_reloads_total", Type.COUNTER,
        "Configuration reloads: applied, or rejected (invalid, or could not be applied) with the old one kept"),
    /** Times a worker's command queue was full, per worker. */
    WORKER_QUEUE_FULL("portgate_worker_queue_full_total", Type.COUNTER,
        "Times a worker's command queue was full and a control-plane command waited for room"),
    /** Lookups of targets named by host name, by result. */
    DNS_LOOKUPS("portgate_dns_lookups_total", Type.COUNTER,
        "Lookups of targets named by host name: ok, or failed (the last good addresses kept)"),
    /** Changes of a name's addresses applied. */
    DNS_CHANGES("portgate_dns_changes_total", Type.COUNTER,
        "Changes of the addresses of targets named by host name, applied as a reload");

    /** Prometheus metric types. */
    public enum Type
    {
        /** Only goes up. */
        COUNTER,
        /** Goes up and down. */
        GAUGE;

        /**
         * The Prometheus name of the type.
         *
         * @return "counter" or "gauge".
         */
        public String prometheusName()
        {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final String prometheusName;
    private final Type type;
    private final String help;

    Metric(final String prometheusName, final Type type, final String help)
    {
        this.prometheusName = prometheusName;
        this.type = type;
        this.help = help;
    }

    /**
     * The Prometheus metric name.
     *
     * @return e.g. {@code portgate_tcp_connections_total}.
     */
    public String prometheusName()
    {
        return prometheusName;
    }

    /**
     * Counter or gauge.
     *
     * @return the type.
     */
    public Type type()
    {
        return type;
    }

    /**
     * One line of help.
     *
     * @return the help text.
     */
    public String help()
    {
        return help;
    }

    /**
     * The type id in the counters file.
     *
     * @return ordinal + 1.
     */
    public int typeId()
    {
        return ordinal() + 1;
    }

    /**
     * The metric of a type id.
     *
     * @param typeId the id.
     * @return the metric, or null for an id this version does not know.
     */
    public static Metric ofTypeId(final int typeId)
    {
        final Metric[] all = values();
        return typeId >= 1 && typeId <= all.length ? all[typeId - 1] : null;
    }
}
