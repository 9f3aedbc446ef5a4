package io.portgate.config;

/** How serious a {@link Diagnostic} is: errors stop the balancer from starting, warnings and notes do not. */
public enum Severity
{
    /** The configuration cannot be used as written. */
    ERROR,
    /** The configuration works but is probably not what the operator meant. */
    WARNING,
    /** Worth knowing, nothing wrong. */
    NOTE;

    /**
     * The lower-case name used in messages.
     *
     * @return "error", "warning" or "note".
     */
    public String label()
    {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
