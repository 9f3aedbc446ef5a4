package io.portgate.config;

/** How a loop thread waits when it has no work. */
public enum IdleStrategyName implements ConfigEnum
{
    /** Spin, then yield, then park with growing pauses. */
    BACKOFF,
    /** Busy-spin: lowest latency, burns a core; for pinned latency-critical cores. */
    SPIN,
    /** Park for a fixed short time: least CPU, most latency. */
    SLEEP,
    /** Block in the Selector until an event (the default): no CPU when idle, woken by the kernel at once. */
    BLOCK;

    @Override
    public String toString()
    {
        return configName();
    }
}
