package io.portgate.dns;

/** How a lookup of a name ended. */
public enum LookupOutcome
{
    /** At least one A or AAAA record. */
    RESOLVED("resolved"),
    /** The name does not exist (NXDOMAIN). */
    NXDOMAIN("NXDOMAIN: no such name"),
    /** The name exists but has neither A nor AAAA records. */
    NO_RECORDS("no A or AAAA records"),
    /** The resolver could not answer (SERVFAIL). */
    SERVFAIL("SERVFAIL: the resolver could not answer"),
    /** The resolver refused to answer (REFUSED). */
    REFUSED("REFUSED: the resolver refused to answer"),
    /** No answer within the timeout. */
    TIMEOUT("timed out"),
    /** Anything else: an unreachable resolver, a malformed answer, a name that is not a DNS name. */
    ERROR("failed");

    private final String text;

    LookupOutcome(final String text)
    {
        this.text = text;
    }

    /**
     * What the outcome means, for messages.
     *
     * @return e.g. {@code NXDOMAIN: no such name}.
     */
    public String text()
    {
        return text;
    }

    /**
     * The outcome's name in tables, JSON and metric labels.
     *
     * @return e.g. {@code nxdomain}, {@code no-records}.
     */
    public String label()
    {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
