package io.portgate.health;

import io.portgate.spi.ProbeResult;

/**
 * Carries probes out without blocking: {@link #start} sends one, {@link #poll} makes progress on those in flight and
 * reports each that ended. The real one is {@link NioProbeTransport}; tests script their own to step thresholds
 * without sockets or sleeping.
 */
public interface ProbeTransport extends AutoCloseable
{
    /** How often probes in flight are polled on a transport that does not say when they end: 1 ms. */
    long SCRIPTED_POLL_NS = 1_000_000L;

    /** Receives the end of a probe. */
    @FunctionalInterface
    interface Completion
    {
        /**
         * A probe ended.
         *
         * @param target       what was probed.
         * @param result       how it ended.
         * @param latencyNanos how long it took.
         * @param detail       what the probe said about it (a registered probe's reason), or null.
         */
        void complete(ProbeTarget target, ProbeResult result, long latencyNanos, String detail);

        /**
         * A probe ended, with nothing more to say than its result.
         *
         * @param target       what was probed.
         * @param result       how it ended.
         * @param latencyNanos how long it took.
         */
        default void complete(final ProbeTarget target, final ProbeResult result, final long latencyNanos)
        {
            complete(target, result, latencyNanos, null);
        }
    }

    /**
     * Starts a probe; its end is reported by a later {@link #poll}, never from inside this call.
     *
     * @param target what to probe.
     * @param nowNs  the current time.
     */
    void start(ProbeTarget target, long nowNs);

    /**
     * Makes progress on probes in flight and reports those that ended, timeouts included.
     *
     * @param nowNs      the current time.
     * @param completion told of each probe that ended.
     * @return how many probes ended or made progress.
     */
    int poll(long nowNs, Completion completion);

    /**
     * When {@link #poll} must run next for the probes in flight, if {@link #await} does not return sooner. By
     * default soon ({@link #SCRIPTED_POLL_NS}): a transport that cannot wake its thread when a probe ends is polled.
     *
     * @param nowNs the current time; there is at least one probe in flight.
     * @return the deadline, on the same clock.
     */
    default long pollDeadlineNs(final long nowNs)
    {
        return nowNs + SCRIPTED_POLL_NS;
    }

    /**
     * Sleeps until a probe in flight may have progressed, {@link #wakeup()} is called, or the timeout passes. By
     * default it parks the calling thread, which {@link java.util.concurrent.locks.LockSupport#unpark} wakes.
     *
     * @param timeoutNs the longest sleep, above 0.
     */
    default void await(final long timeoutNs)
    {
        java.util.concurrent.locks.LockSupport.parkNanos(timeoutNs);
    }

    /** Ends an {@link #await} early, or makes the next one return at once. Any thread. */
    default void wakeup()
    {
    }

    @Override
    void close();
}
