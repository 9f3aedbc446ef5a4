package io.portgate.cli;

import io.portgate.config.Units;
import io.portgate.health.ProbeResult;
import io.portgate.metrics.Labels;
import io.portgate.metrics.Metric;
import io.portgate.metrics.MetricsReader;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * A target's live state as a running balancer publishes it in its metrics file.
 *
 * @param state         up, down or draining.
 * @param lastProbe     how the last probe ended.
 * @param latencyMicros how long it took.
 * @param inState       how long the target has been in its state.
 */
record LiveState(String state, String lastProbe, long latencyMicros, String inState)
{
    static String key(final String pool, final String target)
    {
        return pool + "|" + target;
    }

    static Map<String, LiveState> read(final MetricsReader reader)
    {
        final Map<String, long[]> values = new HashMap<>();
        for (final MetricsReader.Sample s : reader.samples())
        {
            final int column = switch (s.metric())
            {
                case TARGET_STATE -> 0;
                case TARGET_PROBE_RESULT -> 1;
                case TARGET_PROBE_LATENCY -> 2;
                case TARGET_STATE_SINCE -> 3;
                default -> -1;
            };
            if (column >= 0)
            {
                final Map<String, String> labels = Labels.parse(s.labels());
                values.computeIfAbsent(key(labels.get("pool"), labels.get("target")), k -> new long[4])[column] =
                    s.value();
            }
        }
        final long nowSeconds = System.currentTimeMillis() / 1000;
        final Map<String, LiveState> states = new HashMap<>();
        values.forEach((key, v) ->
        {
            final String state = v[0] == 1 ? "up" : v[0] == 0 ? "down" : "draining";
            final String probe = v[1] == 0 ? "none yet" : ProbeResult.values()[(int)v[1] - 1].label();
            states.put(key, new LiveState(state, probe, v[2],
                Units.formatDuration(Duration.ofSeconds(Math.max(0, nowSeconds - v[3])))));
        });
        return states;
    }

}
