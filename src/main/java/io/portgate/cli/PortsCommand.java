package io.portgate.cli;

import io.portgate.config.ConfigLoader;
import io.portgate.config.PortMap;
import io.portgate.metrics.MetricsReader;
import io.portgate.util.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code portgate ports CONFIG}: the port map, for the ops playbook. */
@Command(name = "ports", mixinStandardHelpOptions = true,
    description = {"Print the port map: listener, protocol, external port(s) -> pool -> each target's address and " +
        "internal port, the health probe's protocol and port, and the balancing policy.",
        "A port range maps offset by offset: external port first+i goes to internal port first+i."})
final class PortsCommand implements Callable<Integer>
{
    @Spec
    private CommandSpec spec;

    @Parameters(paramLabel = "CONFIG", description = "The configuration file (YAML).")
    private Path file;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text",
        description = "text, markdown or json (default: ${DEFAULT-VALUE}).")
    private String format;

    @Option(names = "--live", description = "Add each target's live state (up, down, draining), last probe result " +
        "(\"none yet\" before the first) and latency, and how long it has been in that state, read from the " +
        "running balancer's metrics file.")
    private boolean live;

    @Option(names = "--file", paramLabel = "FILE", description = "With --live: the metrics file, when the " +
        "configuration does not name it.")
    private Path metricsFile;

    @Override
    public Integer call()
    {
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        final String fmt = format.toLowerCase(Locale.ROOT);
        if (!List.of("text", "markdown", "json").contains(fmt))
        {
            err.println("portgate ports: --format '" + format + "' is not one of: text, markdown, json");
            return Main.ERRORS;
        }
        final ConfigLoader.Result result = ConfigFile.load(file);
        if (result.hasErrors())
        {
            ConfigFile.printDiagnostics(err, result.diagnostics());
            err.println(file + ": " + ConfigFile.summary(result) + "; fix the errors to see the port map");
            err.flush();
            return Main.ERRORS;
        }
        List<PortMap.Row> rows = PortMap.of(result.config());
        Map<String, LiveState> states = Map.of();
        if (live)
        {
            final Path file = metricsFile != null ? metricsFile : result.config().metricsFile() != null ?
                result.config().metricsFile() : io.portgate.config.PortgateConfig.defaultMetricsFile();
            try (MetricsReader reader = MetricsReader.open(file))
            {
                if (!reader.ownerAlive())
                {
                    err.println("portgate ports: the balancer that wrote " + file + " (pid " + reader.pid() +
                        ") is not running; start it with portgate run");
                    return Main.ERRORS;
                }
                states = LiveState.read(reader);
                // A target named by host name runs as one target per address its name has now: those are the rows.
                rows = PortMap.of(asRunning(result.config(), states));
            }
            catch (final IllegalArgumentException ex)
            {
                err.println("portgate ports --live: " + ex.getMessage());
                return Main.ERRORS;
            }
        }
        final Map<String, LiveState> live = states;
        switch (fmt)
        {
            case "json" -> out.println(Json.pretty(rows.stream().map(r -> toJson(r, live)).toList()));
            case "markdown" -> Table.printMarkdown(out, table(rows, live, "TO"));
            default -> Table.print(out, table(rows, live, ""));
        }
        final long otherPort = rows.stream().filter(PortMap.Row::healthOnOtherPort).count();
        if (otherPort > 0 && !fmt.equals("json"))
        {
            out.println();
            out.println("Note: " + ConfigFile.plural(otherPort, "target") + (otherPort == 1 ? " is" : " are") + " probed on a health port other " +
                "than their traffic port; `portgate check --live` requests both.");
        }
        out.flush();
        return Main.OK;
    }

    /**
     * The configuration with each target named by host name replaced by the targets the running balancer looked up
     * from that name (as its metrics file labels them); a name it runs no target for is left as written.
     */
    static io.portgate.config.PortgateConfig asRunning(final io.portgate.config.PortgateConfig config,
        final Map<String, LiveState> states)
    {
        final List<io.portgate.config.PoolConfig> pools = new ArrayList<>();
        for (final io.portgate.config.PoolConfig pool : config.pools().values())
        {
            if (!pool.hasNamedTargets())
            {
                continue;
            }
            final List<io.portgate.config.TargetConfig> targets = new ArrayList<>();
            for (final io.portgate.config.TargetConfig target : pool.targets())
            {
                final List<io.portgate.config.TargetConfig> found = new ArrayList<>();
                if (target.isNamed())
                {
                    states.forEach((key, state) ->
                    {
                        final String prefix = LiveState.key(pool.name(), "");
                        if (key.startsWith(prefix) && state.name() != null && io.portgate.dns.TargetNames.key(
                            state.name()).equals(io.portgate.dns.TargetNames.key(target.name())))
                        {
                            final io.portgate.config.Endpoint at = io.portgate.config.Addresses.parseEndpoint(
                                key.substring(prefix.length()), true);
                            if (at.ports().equals(target.effectivePorts(pool)))
                            {
                                found.add(target.withAddress(at.address()));
                            }
                        }
                    });
                }
                found.sort(java.util.Comparator.comparing(io.portgate.config.TargetConfig::address,
                    io.portgate.dns.AddressRecord.ADDRESS_ORDER));
                targets.addAll(found.isEmpty() ? List.of(target) : found);
            }
            pools.add(pool.withTargets(targets));
        }
        return config.withPools(pools);
    }

    /**
     * The port map as rows, the first the header.
     *
     * @param arrowHeading the heading over the "->" between external port and pool: blank in aligned text, where
     *                     the arrow speaks for itself, and named in Markdown, where a blank heading cell is an error
     *                     for some renderers and a puzzle for readers.
     */
    private List<String[]> table(final List<PortMap.Row> rows, final Map<String, LiveState> states,
        final String arrowHeading)
    {
        final List<String[]> table = new ArrayList<>();
        final List<String> header = new ArrayList<>(List.of("LISTENER", "PROTO", "EXTERNAL", arrowHeading, "POOL",
            "BALANCE", "TARGET", "WEIGHT", "HEALTH"));
        if (live)
        {
            header.addAll(List.of("STATE", "LAST PROBE", "PROBE LATENCY", "TIME IN STATE"));
        }
        table.add(header.toArray(new String[0]));
        for (final PortMap.Row r : rows)
        {
            final LiveState named = live ? states.get(LiveState.key(r.pool(), r.targetEndpoint())) : null;
            final String target = named != null && named.name() != null ?
                r.targetEndpoint() + " (" + named.name() + ")" : r.targetEndpoint();
            final List<String> cells = new ArrayList<>(List.of(r.listener(), r.protocol().configName(),
                r.external().toString(), "->", r.pool(), r.balance(), target, Integer.toString(r.weight()),
                r.health()));
            if (live)
            {
                final LiveState state = states.get(LiveState.key(r.pool(), r.targetEndpoint()));
                cells.addAll(state == null ? List.of("unknown", "-", "-", "-") : List.of(state.state(),
                    state.lastProbe(), state.latencyMicros() < 0 ? "-" : state.latencyMicros() + "us",
                    state.inState()));
            }
            table.add(cells.toArray(new String[0]));
        }
        return table;
    }

    private static Map<String, Object> toJson(final PortMap.Row r, final Map<String, LiveState> states)
    {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("listener", r.listener());
        m.put("protocol", r.protocol().configName());
        m.put("external", r.external().toString());
        m.put("externalAddress", io.portgate.config.Endpoint.literal(r.external().address()));
        m.put("externalPorts", r.external().ports().toString());
        m.put("pool", r.pool());
        m.put("balance", r.balance());
        m.put("target", r.target());
        m.put("internalPorts", r.internal().toString());
        m.put("weight", r.weight());
        m.put("healthProtocol", r.healthProtocol() == null ? null : r.healthProtocol().configName());
        m.put("healthPort", r.healthProtocol() == null ? null : r.healthPort());
        m.put("healthOnOtherPort", r.healthOnOtherPort());
        final LiveState state = states.get(LiveState.key(r.pool(), r.targetEndpoint()));
        if (state != null)
        {
            if (state.name() != null)
            {
                m.put("name", state.name());
            }
            m.put("state", state.state());
            m.put("lastProbe", state.lastProbe());
            m.put("lastProbeLatencyMicros", state.latencyMicros() < 0 ? null : state.latencyMicros());
            m.put("inState", state.inState());
        }
        return m;
    }
}
