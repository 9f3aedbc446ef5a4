package io.portgate.cli;

import io.portgate.config.ConfigLoader;
import io.portgate.config.PortgateConfig;
import io.portgate.config.Units;
import io.portgate.metrics.Labels;
import io.portgate.metrics.MetricsReader;
import io.portgate.util.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

/** {@code portgate stat}: a running balancer's counters, read from its metrics file, refreshing like top. */
@Command(name = "stat", mixinStandardHelpOptions = true,
    description = {"Show a running balancer's counters, read live from its metrics file without touching its " +
        "data path. Refreshes every --interval until interrupted; --once prints one snapshot.",
        "The file is --file, else the metrics-file of CONFIG, else the default " +
            "(/dev/shm/portgate-USER/portgate.metrics)."})
final class StatCommand implements Callable<Integer>
{
    @Spec
    private CommandSpec spec;

    @Parameters(paramLabel = "CONFIG", arity = "0..1", description = "The configuration the balancer runs with.")
    private Path config;

    @Option(names = "--file", paramLabel = "FILE", description = "The metrics file.")
    private Path file;

    @Option(names = "--once", description = "Print one snapshot and exit.")
    private boolean once;

    @Option(names = "--interval", paramLabel = "DURATION", defaultValue = "1s",
        description = "Time between refreshes (default: ${DEFAULT-VALUE}).")
    private String intervalText;

    @Option(names = "--count", paramLabel = "N", defaultValue = "0",
        description = "Stop after N refreshes (default: until interrupted).")
    private int count;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text",
        description = "text or json (default: ${DEFAULT-VALUE}).")
    private String format;

    @Option(names = "--errors", description = "Print the balancer's unexpected errors instead of its counters: each " +
        "distinct error once, with how many times it happened, when first and last, and its stack trace.")
    private boolean errors;

    @Override
    public Integer call() throws InterruptedException
    {
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        final boolean json = format.equalsIgnoreCase("json");
        if (!json && !format.equalsIgnoreCase("text"))
        {
            err.println("portgate stat: --format '" + format + "' is not one of: text, json");
            return Main.ERRORS;
        }
        final Duration interval;
        try
        {
            interval = Units.parseDuration(intervalText);
        }
        catch (final IllegalArgumentException ex)
        {
            err.println("portgate stat: --interval: " + ex.getMessage());
            return Main.ERRORS;
        }
        final Path metricsFile = resolveFile(err);
        if (metricsFile == null)
        {
            return Main.ERRORS;
        }
        final MetricsReader reader;
        try
        {
            reader = MetricsReader.open(metricsFile);
        }
        catch (final IllegalArgumentException ex)
        {
            err.println("portgate stat: " + ex.getMessage());
            return Main.ERRORS;
        }
        try (reader)
        {
            if (errors)
            {
                printErrors(out, reader, json);
                return Main.OK;
            }
            final boolean clear = !json && !once && System.console() != null;
            for (int i = 0; once ? i < 1 : count <= 0 || i < count; i++)
            {
                if (i > 0)
                {
                    Thread.sleep(interval.toMillis());
                }
                if (clear)
                {
                    out.print("\033[H\033[2J");
                }
                if (json)
                {
                    out.println(Json.write(snapshot(reader)));
                }
                else
                {
                    printText(out, reader, metricsFile);
                }
                out.flush();
                if (!reader.ownerAlive())
                {
                    if (!once)
                    {
                        out.println("portgate (pid " + reader.pid() + ") is not running; these are its last counters");
                    }
                    break;
                }
            }
        }
        return Main.OK;
    }

    private Path resolveFile(final PrintWriter err)
    {
        if (file != null)
        {
            return file;
        }
        if (config != null)
        {
            final ConfigLoader.Result result = ConfigFile.load(config);
            if (result.hasErrors())
            {
                ConfigFile.printDiagnostics(err, result.diagnostics());
                err.println("portgate stat: cannot tell the metrics file from a configuration with errors; use --file");
                return null;
            }
            if (result.config().metricsFile() != null)
            {
                return result.config().metricsFile();
            }
        }
        return PortgateConfig.defaultMetricsFile();
    }

    /** The error log: one entry per distinct error, oldest first. */
    private static void printErrors(final PrintWriter out, final MetricsReader reader, final boolean json)
    {
        final List<MetricsReader.Error> logged = reader.errors();
        if (json)
        {
            final List<Map<String, Object>> entries = new ArrayList<>();
            for (final MetricsReader.Error error : logged)
            {
                final Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("count", error.count());
                entry.put("firstEpochMs", error.firstMs());
                entry.put("lastEpochMs", error.lastMs());
                entry.put("error", error.text());
                entries.add(entry);
            }
            final Map<String, Object> m = new LinkedHashMap<>();
            m.put("pid", reader.pid());
            m.put("running", reader.ownerAlive());
            m.put("errors", entries);
            out.println(Json.write(m));
            return;
        }
        out.println("portgate pid " + reader.pid() + (reader.ownerAlive() ? "" : " (not running)") + ": " +
            logged.size() + " distinct error(s)" + (logged.isEmpty() ? "" : ", oldest first"));
        for (final MetricsReader.Error error : logged)
        {
            out.println();
            out.println(error.count() + " time(s), first " + java.time.Instant.ofEpochMilli(error.firstMs()) +
                ", last " + java.time.Instant.ofEpochMilli(error.lastMs()) + ":");
            out.print(error.text().endsWith("\n") ? error.text() : error.text() + "\n");
        }
        out.flush();
    }

    private static Map<String, Object> snapshot(final MetricsReader reader)
    {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("pid", reader.pid());
        m.put("running", reader.ownerAlive());
        m.put("startEpochMs", reader.startEpochMs());
        m.put("heartbeatEpochMs", reader.heartbeatEpochMs());
        final List<Map<String, Object>> samples = new ArrayList<>();
        for (final MetricsReader.Sample s : reader.samples())
        {
            final Map<String, Object> sample = new LinkedHashMap<>();
            sample.put("metric", s.metric().prometheusName());
            sample.put("labels", Labels.parse(s.labels()));
            sample.put("value", s.value());
            samples.add(sample);
        }
        m.put("samples", samples);
        return m;
    }

    private static void printText(final PrintWriter out, final MetricsReader reader, final Path metricsFile)
    {
        final long now = System.currentTimeMillis();
        out.println("portgate pid " + reader.pid() + (reader.ownerAlive() ? "" : " (not running)") + ", up " +
            Units.formatDuration(Duration.ofSeconds((now - reader.startEpochMs()) / 1000)) + ", heartbeat " +
            String.format(Locale.ROOT, "%.1fs", (now - reader.heartbeatEpochMs()) / 1000.0) + " ago, " + metricsFile);
        final List<MetricsReader.Sample> samples = reader.samples();
        printProcessWide(out, samples);
        out.println();
        printTable(out, samples, false, now);
        out.println();
        printTable(out, samples, true, now);
    }

    /**
     * Counters of the balancer as a whole (reloads), which belong to no listener or target: one line each, as
     * {@code reloads: 2 applied, 0 rejected}.
     */
    private static void printProcessWide(final PrintWriter out, final List<MetricsReader.Sample> samples)
    {
        final Map<String, Map<String, Long>> byMetric = new LinkedHashMap<>();
        for (final MetricsReader.Sample s : samples)
        {
            final Map<String, String> labels = Labels.parse(s.labels());
            if (!labels.containsKey("listener") && !labels.containsKey("target"))
            {
                final String value = String.join(" ", labels.values());
                byMetric.computeIfAbsent(columnName(s.metric().prometheusName(), null), k -> new LinkedHashMap<>())
                    .merge(value, s.value(), Long::sum);
            }
        }
        byMetric.forEach((metric, values) ->
        {
            final List<String> parts = new ArrayList<>();
            values.forEach((label, value) -> parts.add(label.isEmpty() ? Long.toString(value) : value + " " + label));
            out.println(metric + ": " + String.join(", ", parts));
        });
    }

    private static void printTable(final PrintWriter out, final List<MetricsReader.Sample> samples,
        final boolean targets, final long nowMs)
    {
        final Set<String> columns = new LinkedHashSet<>();
        final Map<String, Map<String, Long>> rows = new LinkedHashMap<>();
        for (final MetricsReader.Sample s : samples)
        {
            final Map<String, String> labels = Labels.parse(s.labels());
            if (targets ? !labels.containsKey("target") : !labels.containsKey("listener") ||
                labels.containsKey("target"))
            {
                continue;
            }
            final String row = targets ? labels.getOrDefault("pool", "") + "\u0000" + labels.get("target") :
                labels.get("listener");
            final String column = columnName(s.metric().prometheusName(), labels.get("reason"));
            columns.add(column);
            rows.computeIfAbsent(row, k -> new LinkedHashMap<>()).merge(column, s.value(), Long::sum);
        }
        if (rows.isEmpty())
        {
            out.println(targets ? "(no target counters)" : "(no listener counters)");
            return;
        }
        // TCP and UDP listeners have different counters: one table per set of columns, so no row shows columns
        // that do not apply to it.
        final Map<Set<String>, List<String>> groups = new LinkedHashMap<>();
        rows.forEach((row, values) -> groups.computeIfAbsent(values.keySet(), k -> new ArrayList<>()).add(row));
        boolean first = true;
        for (final Map.Entry<Set<String>, List<String>> group : groups.entrySet())
        {
            if (!first)
            {
                out.println();
            }
            first = false;
            final List<String> groupColumns = columns.stream().filter(group.getKey()::contains).toList();
            final List<String[]> table = new ArrayList<>();
            final List<String> header = new ArrayList<>(targets ? List.of("POOL", "TARGET") : List.of("LISTENER"));
            groupColumns.forEach(c -> header.add(heading(c)));
            table.add(header.toArray(new String[0]));
            for (final String row : group.getValue())
            {
                final List<String> cells = new ArrayList<>(List.of(row.split("\u0000", -1)));
                final Map<String, Long> values = rows.get(row);
                groupColumns.forEach(c -> cells.add(cell(c, values, nowMs)));
                table.add(cells.toArray(new String[0]));
            }
            Table.print(out, table);
        }
    }

    private static final String STATE = "state";
    private static final String STATE_SINCE = "state_since_seconds";
    private static final String PROBE_RESULT = "probe_result";
    private static final String PROBE_LATENCY = "probe_latency_microseconds";

    /** A column's heading: the counter's name, except for gauges shown as something other than their number. */
    private static String heading(final String column)
    {
        return (column.equals(STATE_SINCE) ? "in_state" : column).toUpperCase(Locale.ROOT);
    }

    /**
     * A cell: the counter's value, except that a target's state and last probe result are shown as words, the time
     * it entered its state as how long it has been in it, and a probe latency as "-" while there was no probe.
     */
    private static String cell(final String column, final Map<String, Long> values, final long nowMs)
    {
        final long value = values.getOrDefault(column, 0L);
        return switch (column)
        {
            case STATE -> LiveState.stateName(value);
            case STATE_SINCE -> LiveState.elapsed(nowMs / 1000 - value);
            case PROBE_RESULT -> LiveState.probeResultName(value).replace(' ', '_');
            case PROBE_LATENCY ->
                values.getOrDefault(PROBE_RESULT, LiveState.NO_PROBE_YET) == LiveState.NO_PROBE_YET ? "-" :
                    Long.toString(value);
            default -> Long.toString(value);
        };
    }

    private static String columnName(final String prometheusName, final String reason)
    {
        final String name = prometheusName.replaceFirst("^portgate_", "").replaceFirst("_total$", "")
            .replaceFirst("^(tcp|udp|target)_", "");
        return reason == null ? name : name + ":" + reason;
    }
}
