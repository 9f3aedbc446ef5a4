package io.portgate.metrics;

import java.util.List;

/** Renders samples in the Prometheus text exposition format (version 0.0.4). */
public final class PrometheusText
{
    /** The content type of the format. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private PrometheusText()
    {
    }

    /**
     * Renders samples, one {@code # HELP} and {@code # TYPE} per metric.
     *
     * @param samples samples grouped by metric, as {@link MetricsReader#samples()} returns them.
     * @return the text.
     */
    public static String render(final List<MetricsReader.Sample> samples)
    {
        final StringBuilder sb = new StringBuilder();
        Metric current = null;
        for (final MetricsReader.Sample s : samples)
        {
            if (s.metric() != current)
            {
                current = s.metric();
                sb.append("# HELP ").append(current.prometheusName()).append(' ').append(current.help()).append('\n');
                sb.append("# TYPE ").append(current.prometheusName()).append(' ')
                    .append(current.type().prometheusName()).append('\n');
            }
            sb.append(current.prometheusName());
            if (!s.labels().isEmpty())
            {
                sb.append('{').append(s.labels()).append('}');
            }
            sb.append(' ').append(s.value()).append('\n');
        }
        return sb.toString();
    }

    /**
     * Renders latency histograms as a Prometheus summary: quantiles 0.5, 0.9, 0.99 and 0.999, a count and a sum.
     *
     * @param name      the metric name, ending in {@code _seconds}.
     * @param help      one line of help.
     * @param labelName the label that tells the histograms apart.
     * @param byLabel   histograms by label value, values in nanoseconds.
     * @return the text, empty when there are no histograms.
     */
    public static String summary(final String name, final String help, final String labelName,
        final java.util.Map<String, org.HdrHistogram.Histogram> byLabel)
    {
        if (byLabel.isEmpty())
        {
            return "";
        }
        final StringBuilder sb = new StringBuilder();
        sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
        sb.append("# TYPE ").append(name).append(" summary\n");
        byLabel.forEach((value, h) ->
        {
            final String labels = Labels.of(labelName, value);
            for (final double q : new double[] {0.5, 0.9, 0.99, 0.999})
            {
                sb.append(name).append('{').append(labels).append(",quantile=\"").append(q).append("\"} ")
                    .append(seconds(h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(q * 100))).append('\n');
            }
            sb.append(name).append("_count{").append(labels).append("} ").append(h.getTotalCount()).append('\n');
            sb.append(name).append("_sum{").append(labels).append("} ")
                .append(seconds((long)(h.getMean() * h.getTotalCount()))).append('\n');
        });
        return sb.toString();
    }

    private static String seconds(final long nanos)
    {
        return String.format(java.util.Locale.ROOT, "%.9f", nanos / 1e9);
    }
}
