package io.portgate.admin;

import io.portgate.loop.IntrusiveList;

import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * The admin loop's connections: the open ones in a dense array (closing one moves the last into its place), closed
 * ones kept for reuse, the order in which idle or slow ones are evicted at the cap, and each one's next deadline. One
 * per admin loop; loop thread only.
 */
final class AdminConnectionTable
{
    private final AdminLimits limits;
    private final AdminConnection[] open;
    private final ArrayDeque<AdminConnection> free = new ArrayDeque<>();
    /** Connections that hold no request being carried out, oldest first. */
    private final IntrusiveList<AdminConnection> evictable = new IntrusiveList<>();
    private final long maxWaitNs;
    private int count;
    private long nextDeadlineNs;

    /**
     * @param limits    the connection cap and buffer sizes.
     * @param maxWaitNs the longest the loop waits between two looks at the deadlines.
     * @param nowNs     the time now.
     */
    AdminConnectionTable(final AdminLimits limits, final long maxWaitNs, final long nowNs)
    {
        this.limits = limits;
        this.open = new AdminConnection[limits.maxConnections() + 1];
        this.maxWaitNs = maxWaitNs;
        this.nextDeadlineNs = nowNs + maxWaitNs;
    }

    /** @return how many connections are open. */
    int size()
    {
        return count;
    }

    /** @return whether the cap is reached. */
    boolean isFull()
    {
        return count >= limits.maxConnections();
    }

    /** @return the connection that has waited longest without a request being carried out, or null for none. */
    AdminConnection oldestEvictable()
    {
        return evictable.first();
    }

    /** @return the connection opened last, or null for none. */
    AdminConnection last()
    {
        return count == 0 ? null : open[count - 1];
    }

    /** @return a closed connection to reuse, or a new one. */
    AdminConnection take()
    {
        return free.isEmpty() ? new AdminConnection(limits) : free.pop();
    }

    /**
     * Keeps a connection for reuse; it is in the table no more.
     *
     * @param c the connection, closed or never opened.
     */
    void giveBack(final AdminConnection c)
    {
        free.push(c);
    }

    /**
     * Adds a connection just opened, as the newest evictable one.
     *
     * @param c the connection.
     */
    void add(final AdminConnection c)
    {
        c.slot = count;
        open[count++] = c;
        makeNewest(c);
    }

    /**
     * Takes a connection out: out of the array and of the eviction order.
     *
     * @param c the connection.
     */
    void remove(final AdminConnection c)
    {
        evictable.remove(c.evictLink);
        final int last = --count;
        final AdminConnection moved = open[last];
        open[c.slot] = moved;
        moved.slot = c.slot;
        open[last] = null;
        c.slot = -1;
    }

    /**
     * Makes a connection the newest to be evicted: it waits for a request, or writes an answer.
     *
     * @param c the connection.
     */
    void makeNewest(final AdminConnection c)
    {
        evictable.remove(c.evictLink);
        evictable.addLast(c.evictLink);
    }

    /**
     * Keeps a connection from eviction: a change it asked for is being carried out.
     *
     * @param c the connection.
     */
    void keep(final AdminConnection c)
    {
        evictable.remove(c.evictLink);
    }

    /**
     * Sets a connection's deadline.
     *
     * @param c          the connection.
     * @param deadlineNs when it is due.
     */
    void deadline(final AdminConnection c, final long deadlineNs)
    {
        c.deadlineNs = deadlineNs;
        if (deadlineNs - nextDeadlineNs < 0)
        {
            nextDeadlineNs = deadlineNs;
        }
    }

    /** @return the earliest deadline, at most the longest wait from the last look. */
    long nextDeadlineNs()
    {
        return nextDeadlineNs;
    }

    /**
     * Hands every connection whose deadline has passed to {@code onTimeout} (which closes it), skipping those with a
     * change in progress, and notes the next deadline.
     *
     * @param nowNs     the time now.
     * @param onTimeout what a due connection gets.
     * @return how many were due.
     */
    int expire(final long nowNs, final Consumer<AdminConnection> onTimeout)
    {
        int expired = 0;
        long next = nowNs + maxWaitNs;
        // From the end: closing swaps the last connection into the closed one's place, and that one was seen.
        for (int i = count - 1; i >= 0; i--)
        {
            final AdminConnection c = open[i];
            if (c.state == AdminConnection.AWAIT_OPERATION)
            {
                continue;
            }
            if (nowNs - c.deadlineNs >= 0)
            {
                onTimeout.accept(c);
                expired++;
            }
            else if (c.deadlineNs - next < 0)
            {
                next = c.deadlineNs;
            }
        }
        nextDeadlineNs = next;
        return expired;
    }
}
