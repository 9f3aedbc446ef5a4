package io.portgate.loop;

import java.util.concurrent.TimeUnit;

/**
 * How long a listener stops accepting after an accept failed for want of file descriptors: 10 ms, doubling with each
 * failure in a row up to a second, back to 10 ms after an accept that succeeds. A failed accept leaves the client in
 * the kernel's queue and the socket readable, so a loop that tried again at once would spin (issue 15 measured 189 %
 * CPU); pausing lets the connections that hold descriptors finish, and the longest pause bounds how late service
 * resumes once descriptors come free. Plain state, no clock and no allocation: the loop arms the pause on its own
 * timer wheel.
 */
public final class AcceptBackoff
{
    /** The first pause. */
    public static final long MIN_PAUSE_NS = TimeUnit.MILLISECONDS.toNanos(10);
    /** The longest pause. */
    public static final long MAX_PAUSE_NS = TimeUnit.SECONDS.toNanos(1);

    private long nextPauseNs = MIN_PAUSE_NS;

    /**
     * An accept failed: the pause to take now, and the next one doubled.
     *
     * @return nanoseconds to stop accepting for.
     */
    public long failed()
    {
        final long pause = nextPauseNs;
        nextPauseNs = Math.min(MAX_PAUSE_NS, nextPauseNs * 2);
        return pause;
    }

    /** An accept succeeded: the next failure pauses briefly again. */
    public void succeeded()
    {
        nextPauseNs = MIN_PAUSE_NS;
    }

    /**
     * The pause the next failure would take.
     *
     * @return nanoseconds.
     */
    public long nextPauseNs()
    {
        return nextPauseNs;
    }
}
