package io.portgate.bench.harness;

import org.HdrHistogram.Histogram;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The percentiles of one latency distribution, in nanoseconds.
 *
 * @param count values recorded.
 * @param min   smallest.
 * @param mean  mean.
 * @param p50   median.
 * @param p90   90th percentile.
 * @param p99   99th percentile.
 * @param p999  99.9th percentile.
 * @param max   largest.
 */
public record LatencySummary(long count, long min, double mean, long p50, long p90, long p99, long p999, long max)
{
    /** A distribution with no values. */
    public static final LatencySummary EMPTY = new LatencySummary(0, 0, 0, 0, 0, 0, 0, 0);

    /**
     * Summarises a histogram of nanoseconds.
     *
     * @param h the histogram.
     * @return the summary; {@link #EMPTY} when it has no values.
     */
    public static LatencySummary of(final Histogram h)
    {
        if (h.getTotalCount() == 0)
        {
            return EMPTY;
        }
        return new LatencySummary(h.getTotalCount(), h.getMinValue(), h.getMean(), h.getValueAtPercentile(50),
            h.getValueAtPercentile(90), h.getValueAtPercentile(99), h.getValueAtPercentile(99.9), h.getMaxValue());
    }

    /**
     * The summary as JSON-ready values, nanoseconds as integers.
     *
     * @return ordered map.
     */
    public Map<String, Object> toMap()
    {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("count", count);
        m.put("unit", "ns");
        m.put("min", min);
        m.put("mean", Math.round(mean));
        m.put("p50", p50);
        m.put("p90", p90);
        m.put("p99", p99);
        m.put("p999", p999);
        m.put("max", max);
        return m;
    }
}
