package io.portgate.config;

/** How a loop thread waits when it has no work. */
public enum IdleStrategyName implements ConfigEnum
{
    /** Spin, then yield, then park with growing pauses. */
    BACKOFF("backoff"),
    /** Busy-spin: lowest latency, burns a core; for pinned latency-critical cores. */
    SPIN("spin"),
    /** Park for a fixed short time: least CPU, most latency. */
    SLEEP("sleep"),
    /** Block in the Selector until an event (the default): no CPU when idle, woken by the kernel at once. */
    BLOCK("block");

    private final String configName;

    IdleStrategyName(final String configName)
    {
        this.configName = configName;
    }

    @Override
    public String configName()
    {
        return configName;
    }

    @Override
    public String toString()
    {
        return configName;
    }
}
