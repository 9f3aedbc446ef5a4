package io.portgate.cli;

import io.portgate.spi.ProbeResult;
import io.portgate.metrics.Labels;
import io.portgate.metrics.Metric;
import io.portgate.metrics.MetricsReader;

import java.util.HashMap;
import java.util.Map;

/**
 * A target's live state as a running balancer publishes it in its metrics file.
 *
 * @param state         up, down or draining.
 * @param lastProbe     how the last probe ended.
 * @param latencyMicros how long it took, or -1 when there was no probe yet.
 * @param inState       how long the target has been in its state.
 * @param name          the host name the target was looked up from, or null for a target written as an address.
 */
record LiveState(String state, String lastProbe, long latencyMicros, String inState, String name)
{

    static String key(final String pool, final String target)
    {
        return pool + "|" + target;
    }

    static Map<String, LiveState> read(final MetricsReader reader)
    {
        final Map<String, long[]> values = new HashMap<>();
        final Map<String, String> names = new HashMap<>();
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
                final String key = key(labels.get("pool"), labels.get("target"));
                values.computeIfAbsent(key, k -> new long[4])[column] = s.value();
                if (labels.get("name") != null)
                {
                    names.put(key, labels.get("name"));
                }
            }
        }
        final long nowSeconds = System.currentTimeMillis() / 1000;
        final Map<String, LiveState> states = new HashMap<>();
        values.forEach((key, v) -> states.put(key, new LiveState(stateName(v[0]), probeResultName(v[1]),
            v[1] == NO_PROBE_YET ? -1 : v[2], elapsed(nowSeconds - v[3]), names.get(key))));
        return states;
    }

    /** The value of {@code portgate_target_probe_result} before a target's first probe. */
    static final long NO_PROBE_YET = 0;

    /**
     * A target's state as the {@code portgate_target_state} gauge holds it.
     *
     * @param gauge 1 up, 0 down, 2 draining.
     * @return up, down or draining.
     */
    static String stateName(final long gauge)
    {
        return gauge == 1 ? "up" : gauge == 0 ? "down" : gauge == 2 ? "draining" : "unknown (" + gauge + ")";
    }

    /**
     * How a target's last probe ended, as the {@code portgate_target_probe_result} gauge holds it.
     *
     * @param gauge 0 for none yet, else a {@link ProbeResult}'s ordinal + 1.
     * @return e.g. "none yet", "ok", "bad reply".
     */
    static String probeResultName(final long gauge)
    {
        final ProbeResult[] results = ProbeResult.values();
        return gauge == NO_PROBE_YET ? "none yet" : gauge >= 1 && gauge <= results.length ?
            results[(int)gauge - 1].label() : "unknown (" + gauge + ")";
    }

    /**
     * How long ago, for a person: {@code 45s}, {@code 12m5s}, {@code 3h2m}, {@code 2d4h}.
     *
     * @param seconds the time elapsed; a negative one (clocks apart) reads as 0s.
     * @return the two largest units.
     */
    static String elapsed(final long seconds)
    {
        final long s = Math.max(0, seconds);
        if (s < 60)
        {
            return s + "s";
        }
        if (s < 3600)
        {
            return s / 60 + "m" + (s % 60 == 0 ? "" : s % 60 + "s");
        }
        if (s < 86_400)
        {
            return s / 3600 + "h" + (s % 3600 / 60 == 0 ? "" : s % 3600 / 60 + "m");
        }
        return s / 86_400 + "d" + (s % 86_400 / 3600 == 0 ? "" : s % 86_400 / 3600 + "h");
    }
}
