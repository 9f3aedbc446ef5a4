package io.portgate.loop;

/**
 * Hears of failures a forwarder sees on real traffic to one listener's targets (a TCP connect refused or timed out,
 * an ICMP port unreachable for UDP), so that passive health detection can count them toward {@code fall}.
 */
@FunctionalInterface
public interface TargetFailureListener
{
    /** Hears nothing. */
    TargetFailureListener NONE = target -> { };

    /**
     * A connect to a target failed: refused, timed out or unreachable. Called on a worker thread; must not block or
     * allocate.
     *
     * @param target the target id.
     */
    void onConnectFailure(int target);
}
