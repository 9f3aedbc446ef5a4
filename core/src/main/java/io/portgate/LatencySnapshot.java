package io.portgate;

/**
 * Latencies recorded since start, summarised: how many, and the percentiles. Values in nanoseconds; all zero when
 * nothing was recorded.
 *
 * @param count    how many values were recorded.
 * @param minNanos the smallest value.
 * @param p50Nanos the median.
 * @param p90Nanos the 90th percentile.
 * @param p99Nanos the 99th percentile.
 * @param p999Nanos the 99.9th percentile.
 * @param maxNanos the largest value.
 */
public record LatencySnapshot(long count, long minNanos, long p50Nanos, long p90Nanos, long p99Nanos, long p999Nanos, long maxNanos)
{
    /** Nothing recorded. */
    public static final LatencySnapshot EMPTY = new LatencySnapshot(0, 0, 0, 0, 0, 0, 0);
}
