package io.portgate.spi;

/** How one probe ended. Expected outcomes are values, not exceptions. */
public enum ProbeResult
{
    /** The target answered as expected. */
    OK,
    /** The connection was refused, or an ICMP port-unreachable came back. */
    REFUSED,
    /** No answer within the timeout. */
    TIMEOUT,
    /** It answered, but not as expected (HTTP status, UDP reply). */
    BAD_REPLY,
    /** The socket failed otherwise. */
    ERROR,
    /** A forwarder saw a connect failure, a reset or an ICMP unreachable on real traffic. */
    PASSIVE_FAILURE;

    /**
     * Whether the probe passed.
     *
     * @return true for OK.
     */
    public boolean passed()
    {
        return this == OK;
    }

    /**
     * The lower-case name used in reports.
     *
     * @return e.g. "timeout".
     */
    public String label()
    {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
    }
}
