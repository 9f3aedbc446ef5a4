package io.portgate.loop;

import org.agrona.collections.LongHashSet;

import java.util.function.LongConsumer;

/**
 * When a forwarder closes what a reload left draining: the drain deadline of every removed listener and retired
 * target its routes name, each armed once as a timeout on the worker. At each, the forwarder's {@code onDeadline}
 * closes whatever has run out of time, TCP and UDP alike. Worker thread only.
 */
public final class DrainDeadlines implements TimeoutHandler
{
    private final LongHashSet armed = new LongHashSet();
    private final LongConsumer onDeadline;

    /**
     * Creates the deadlines of one forwarder.
     *
     * @param onDeadline called with the loop's clock when a deadline has passed.
     */
    public DrainDeadlines(final LongConsumer onDeadline)
    {
        this.onDeadline = onDeadline;
    }

    /**
     * Arms the deadlines of routes a reload switched to that are not armed yet.
     *
     * @param worker the worker the forwarder lives on.
     * @param routes the forwarder's routes now.
     */
    public void arm(final Worker worker, final Route[] routes)
    {
        final LongHashSet deadlines = new LongHashSet();
        for (final Route route : routes)
        {
            Route.addDrainDeadlines(route, deadlines);
        }
        for (final long deadline : deadlines)
        {
            if (armed.add(deadline))
            {
                worker.scheduleTimeout(Math.max(worker.nowNs(), deadline), this);
            }
        }
    }

    @Override
    public void onTimeout(final long timerId, final long nowNs)
    {
        armed.removeIf(deadline -> nowNs - deadline >= 0);
        onDeadline.accept(nowNs);
    }

    /**
     * Whether a deadline has passed.
     *
     * @param deadlineNs the deadline.
     * @param nowNs      the loop's clock.
     * @return true once it has.
     */
    public static boolean passed(final long deadlineNs, final long nowNs)
    {
        return nowNs - deadlineNs >= 0;
    }
}
