package io.portgate.loop;

/** Called by a {@link Worker} when a deadline armed with {@link Worker#scheduleTimeout} has passed. */
@FunctionalInterface
public interface TimeoutHandler
{
    /**
     * The deadline has passed; the timer is gone and need not be cancelled.
     *
     * @param timerId the id {@link Worker#scheduleTimeout} returned.
     * @param nowNs   the loop's clock for this duty cycle.
     */
    void onTimeout(long timerId, long nowNs);
}
