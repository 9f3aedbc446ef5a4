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
}
