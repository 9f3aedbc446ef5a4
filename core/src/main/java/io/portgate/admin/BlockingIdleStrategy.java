package io.portgate.admin;

import org.agrona.concurrent.IdleStrategy;

/**
 * An idle strategy that, when a duty cycle did nothing, calls a blocking wait of the loop's own (its selector, until
 * a socket is ready, an answer comes back or the next deadline is due) instead of spinning or parking.
 */
final class BlockingIdleStrategy implements IdleStrategy
{
    private final Runnable block;

    /**
     * @param block the loop's wait; it returns when there is work or a deadline is due.
     */
    BlockingIdleStrategy(final Runnable block)
    {
        this.block = block;
    }

    @Override
    public void idle(final int workCount)
    {
        if (workCount <= 0)
        {
            block.run();
        }
    }

    @Override
    public void idle()
    {
        block.run();
    }

    @Override
    public void reset()
    {
    }
}
