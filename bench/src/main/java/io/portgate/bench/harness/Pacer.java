package io.portgate.bench.harness;

/**
 * The intended send times of one connection, flow or sender.
 *
 * <p>At a constant rate the n-th send is due at {@code start + n * interval} whether or not the target has answered
 * the previous one, so a reply that comes late makes the next sends late too and the latency measured from
 * {@link #take(long)}'s intended time counts that wait (wrk2's answer to coordinated omission). In closed loop every
 * send is due at once and its intended time is the time it is sent.
 */
public final class Pacer
{
    private final boolean closedLoop;
    private final long startNs;
    private final double intervalNs;
    private long sent;
    private long nextDueNs;

    private Pacer(final boolean closedLoop, final long startNs, final double intervalNs)
    {
        this.closedLoop = closedLoop;
        this.startNs = startNs;
        this.intervalNs = intervalNs;
        this.nextDueNs = startNs;
    }

    /**
     * A pacer with no schedule: every send is due now.
     *
     * @return the pacer.
     */
    public static Pacer closedLoop()
    {
        return new Pacer(true, 0, 0);
    }

    /**
     * A pacer with sends due every {@code intervalNs} from {@code startNs}.
     *
     * @param startNs    when the first send is due, in {@link System#nanoTime()} terms.
     * @param intervalNs time between sends; a double so the schedule does not drift at rates that do not divide a
     *                   second evenly.
     * @return the pacer.
     */
    public static Pacer constantRate(final long startNs, final double intervalNs)
    {
        if (!(intervalNs > 0))
        {
            throw new IllegalArgumentException("interval must be more than zero, not " + intervalNs);
        }
        return new Pacer(false, startNs, intervalNs);
    }

    /**
     * A pacer for one of {@code lanes} connections sharing a total rate, its schedule offset so the lanes send
     * evenly spread rather than in bursts.
     *
     * @param startNs       when the run starts.
     * @param ratePerSecond total rate of all lanes; 0 for closed loop.
     * @param lanes         connections or flows sharing the rate.
     * @param lane          this one, from 0.
     * @return the pacer.
     */
    public static Pacer forLane(final long startNs, final long ratePerSecond, final int lanes, final int lane)
    {
        if (ratePerSecond == 0)
        {
            return closedLoop();
        }
        final double totalIntervalNs = 1e9 / ratePerSecond;
        return constantRate(startNs + (long)(lane * totalIntervalNs), totalIntervalNs * lanes);
    }

    /**
     * Whether a send is due.
     *
     * @param nowNs the time now.
     * @return true when the next send's intended time has come.
     */
    public boolean isDue(final long nowNs)
    {
        return closedLoop || nowNs - nextDueNs >= 0;
    }

    /**
     * When the next send is due; meaningless in closed loop.
     *
     * @return intended time of the next send.
     */
    public long nextDueNs()
    {
        return nextDueNs;
    }

    /**
     * Takes the next send off the schedule.
     *
     * @param nowNs the time it is actually being sent.
     * @return its intended send time, the time its latency is measured from.
     */
    public long take(final long nowNs)
    {
        if (closedLoop)
        {
            sent++;
            return nowNs;
        }
        final long due = nextDueNs;
        sent++;
        nextDueNs = startNs + (long)(sent * intervalNs);
        return due;
    }

    /**
     * Sends taken so far.
     *
     * @return count.
     */
    public long sent()
    {
        return sent;
    }

    /**
     * Whether this pacer has a schedule.
     *
     * @return false in closed loop.
     */
    public boolean isConstantRate()
    {
        return !closedLoop;
    }
}
