package io.portgate.access;

/**
 * How a connection or flow ended, as int codes an {@link AccessRecord} carries and the access log prints by name.
 */
public final class EndReason
{
    /** The client closed first (TCP FIN from the client). */
    public static final int CLIENT_CLOSE = 0;
    /** The target closed first. */
    public static final int TARGET_CLOSE = 1;
    /** Either side reset, or a read or write failed. */
    public static final int RESET = 2;
    /** Nothing moved for the idle timeout (the usual end of a UDP flow). */
    public static final int IDLE_TIMEOUT = 3;
    /** The listener's allow or deny rules refused the client. */
    public static final int REFUSED_BY_RULE = 4;
    /** A per-source or listener limit refused the client. */
    public static final int LIMIT = 5;
    /** No target could be reached. */
    public static final int NO_TARGET = 6;
    /** A PROXY header was expected and was missing, malformed, oversized, unsupported, late or untrusted. */
    public static final int PROXY_HEADER = 7;
    /** The balancer closed it: a stop, or a reload's drain deadline. */
    public static final int SHUTDOWN = 8;
    /** A UDP flow evicted to make room in a full flow table. */
    public static final int EVICTED = 9;
    /** The largest code. */
    public static final int MAX_CODE = 9;

    private static final String[] NAMES = {
        "client_close", "target_close", "reset", "idle_timeout", "refused_by_rule", "limit", "no_target",
        "proxy_header", "shutdown", "evicted" };

    private EndReason()
    {
    }

    /**
     * The name the access log prints.
     *
     * @param code a reason code.
     * @return its name, e.g. {@code client_close}; {@code unknown} for a code that is none.
     */
    public static String name(final int code)
    {
        return code >= 0 && code <= MAX_CODE ? NAMES[code] : "unknown";
    }
}
