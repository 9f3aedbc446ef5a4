package io.portgate.spi;

/** What the balancer believes about a target. */
public enum TargetState
{
    /** Takes new connections and flows. */
    UP,
    /** Takes nothing new: probes or passive detection found it failing. */
    DOWN,
    /** Takes nothing new because an operator asked; existing connections finish. */
    DRAINING;

    /**
     * The lower-case name used in reports.
     *
     * @return "up", "down" or "draining".
     */
    public String label()
    {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
