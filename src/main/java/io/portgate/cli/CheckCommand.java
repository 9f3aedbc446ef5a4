package io.portgate.cli;

import io.portgate.config.ConfigLoader;
import io.portgate.config.Diagnostic;
import io.portgate.config.PoolConfig;
import io.portgate.config.PortgateConfig;
import io.portgate.config.Severity;
import io.portgate.config.Units;
import io.portgate.ports.ListenerPorts;
import io.portgate.health.DirectCheck;
import io.portgate.health.LiveCheck;
import io.portgate.dns.AddressRecord;
import io.portgate.dns.HostResolver;
import io.portgate.dns.Resolution;
import io.portgate.dns.TargetNames;
import io.portgate.util.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code portgate check CONFIG}: parse and validate, and with {@code --live} ask every target directly. */
@Command(name = "check", mixinStandardHelpOptions = true,
    description = {
        "Parse and validate a configuration file. Exit 0 when clean, 1 when it has only warnings, 2 on errors.",
        "With --live, also make direct requests to every target's internal port and health port (TCP connect; " +
            "for UDP a datagram on a connected socket, so an ICMP port-unreachable is seen; HTTP GET for http " +
            "probes) and report each as reachable, refused or timed out. A target that does not answer is a warning.",
        "With --live, a listener port another process already holds (a running portgate included) is an error " +
            "naming the port and, where /proc tells, the process: 'portgate run' would refuse to start.",
        "Targets written as host names are looked up through the file's resolvers: (or the system resolver); one " +
            "that does not resolve is a warning. With --live, every A and AAAA record of each name is listed " +
            "with its TTL, and every address is requested directly."})
final class CheckCommand implements Callable<Integer>
{
    @Spec
    private CommandSpec spec;

    @Parameters(paramLabel = "CONFIG", description = "The configuration file (YAML).")
    private Path file;

    @Option(names = "--live", description = "Also request every target's internal and health port directly.")
    private boolean live;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text",
        description = "text or json (default: ${DEFAULT-VALUE}).")
    private String format;

    @Option(names = "--against", paramLabel = "OLD", description = "Also list what changes from OLD (for example " +
        "the configuration running now) to CONFIG, one line per change.")
    private Path against;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "1s",
        description = "How long each --live request may take (default: ${DEFAULT-VALUE}).")
    private String timeoutText;

    @Override
    public Integer call()
    {
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        final boolean json = switch (format.toLowerCase(Locale.ROOT))
        {
            case "text" -> false;
            case "json" -> true;
            default ->
            {
                err.println("portgate check: --format '" + format + "' is not one of: text, json");
                yield false;
            }
        };
        if (!json && !format.equalsIgnoreCase("text"))
        {
            return Main.ERRORS;
        }
        final Duration timeout;
        try
        {
            timeout = Units.parseDuration(timeoutText);
        }
        catch (final IllegalArgumentException ex)
        {
            err.println("portgate check: --timeout: " + ex.getMessage());
            return Main.ERRORS;
        }

        final ConfigLoader.Result result = ConfigFile.load(file);
        io.portgate.config.ConfigDiff diff = null;
        if (against != null && !result.hasErrors())
        {
            final ConfigLoader.Result old = ConfigFile.load(against);
            if (old.config() == null)
            {
                ConfigFile.printDiagnostics(err, old.diagnostics());
                err.println("portgate check: --against " + against + " cannot be read");
                return Main.ERRORS;
            }
            diff = io.portgate.config.ConfigDiff.between(old.config(), result.config());
        }
        // Every address of every name, asked again through resolvers: with the --live timeout, and each requested.
        final HostResolver dns = live && !result.hasErrors() && !TargetNames.names(result.config()).isEmpty() ?
            HostResolver.of(result.config().resolvers(), timeout) : null;
        final Map<String, Resolution> names = dns == null ? Map.of() :
            TargetNames.resolveAll(TargetNames.names(result.config()), dns);
        final List<LiveCheck.Check> checks = live && !result.hasErrors() ?
            LiveCheck.run(TargetNames.expand(result.config(), names), timeout) : List.of();
        final long unresolved = names.values().stream().filter(r -> !r.isResolved()).count();
        final long unanswered = checks.stream()
            .filter(c -> c.result().outcome() != DirectCheck.Outcome.REACHABLE).count();
        // Only ports in use: an address that is not on this host, say, is the validator's to report.
        final List<ListenerPorts.Conflict> portsInUse = live && !result.hasErrors() ?
            ListenerPorts.probe(result.config().listeners(), ListenerPorts.OwnSockets.NONE).stream()
                .filter(ListenerPorts.Conflict::inUse).toList() : List.of();
        int status = ConfigFile.exitStatus(result);
        if (status == Main.OK && (unanswered > 0 || unresolved > 0))
        {
            status = Main.WARNINGS;
        }
        if (!portsInUse.isEmpty())
        {
            status = Main.ERRORS;
        }

        if (json)
        {
            final Map<String, Object> report = toJson(result, checks, portsInUse, status);
            if (live && !result.hasErrors())
            {
                report.put("names", namesToJson(result.config(), names));
            }
            if (diff != null)
            {
                report.put("changes", diff.changes());
            }
            out.println(Json.pretty(report));
        }
        else
        {
            printText(out, result, checks, portsInUse, unanswered, () ->
            {
                if (!names.isEmpty())
                {
                    printNames(out, result.config(), dns.description(), names, unresolved);
                }
            });
            if (diff != null)
            {
                out.println();
                out.println(diff.isEmpty() ? "No change from " + against + "." : "Changes from " + against + ":");
                diff.changes().forEach(change -> out.println("  " + change));
            }
        }
        out.flush();
        return status;
    }

    private void printText(final PrintWriter out, final ConfigLoader.Result result, final List<LiveCheck.Check> checks,
        final List<ListenerPorts.Conflict> portsInUse, final long unanswered, final Runnable printNames)
    {
        ConfigFile.printDiagnostics(out, result.diagnostics());
        if (result.hasErrors())
        {
            out.println(file + ": " + ConfigFile.summary(result) + "; nothing will start until the errors are fixed");
            if (live)
            {
                out.println("live checks skipped: fix the errors first");
            }
            return;
        }
        final var config = result.config();
        final long targets = config.pools().values().stream().mapToLong(p -> p.targets().size()).sum();
        out.println(file + ": valid (" + ConfigFile.plural(config.listeners().size(), "listener") + ", " +
            ConfigFile.plural(config.pools().size(), "pool") + ", " + ConfigFile.plural(targets, "target") + "); " +
            ConfigFile.summary(result));
        if (!live)
        {
            return;
        }
        out.println();
        final long ports = config.listeners().stream().mapToLong(l -> l.bind().ports().size()).sum();
        if (portsInUse.isEmpty())
        {
            out.println("Listener ports: all " + ports + " free on this host.");
        }
        else
        {
            out.println("Listener ports: " + portsInUse.size() + " of " + ports + " in use on this host, so " +
                "'portgate run' would exit 2:");
            for (final ListenerPorts.Conflict conflict : portsInUse)
            {
                out.println(new Diagnostic(Severity.ERROR, config.source(), conflict.listener().bindPosition(),
                    conflict.message(), null).format());
            }
        }
        printNames.run();
        out.println();
        out.println("Direct requests to the targets, bypassing portgate:");
        final List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"POOL", "TARGET", "PORT", "PROBE", "RESULT", "TIME", "DETAIL"});
        for (final LiveCheck.Check c : checks)
        {
            rows.add(new String[] {c.pool(), c.targetLabel(), c.kind().name().toLowerCase(Locale.ROOT),
                c.protocol().configName(), c.result().outcome().label(),
                String.format(Locale.ROOT, "%.1fms", c.result().latencyNanos() / 1e6), c.result().detail()});
        }
        Table.print(out, rows);
        out.println();
        out.println(unanswered == 0 ? "All " + checks.size() + " direct requests were answered." :
            unanswered + " of " + checks.size() + " direct requests were not answered as expected: portgate would " +
                "send traffic to a target that cannot take it until a health probe takes it out.");
    }

    private static void printNames(final PrintWriter out, final PortgateConfig config, final String resolver,
        final Map<String, Resolution> names, final long unresolved)
    {
        out.println();
        out.println("Host names of targets, looked up through " + resolver + ":");
        final List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"NAME", "POOL", "RESULT", "TYPE", "ADDRESS", "TTL", "DETAIL"});
        for (final Resolution r : names.values())
        {
            final String pools = String.join(",", poolsNaming(config, r.name()));
            if (!r.isResolved())
            {
                rows.add(new String[] {r.name(), pools, r.outcome().label(), "-", "-", "-", r.reason()});
                continue;
            }
            boolean first = true;
            for (final AddressRecord record : r.records())
            {
                rows.add(new String[] {first ? r.name() : "", first ? pools : "", first ? r.outcome().label() : "",
                    record.type(), io.portgate.config.Endpoint.literal(record.address()), record.ttlText(),
                    first && !r.resolver().equals(resolver) ? "from " + r.resolver() : ""});
                first = false;
            }
        }
        Table.print(out, rows);
        out.println();
        out.println(unresolved == 0 ? "All " + ConfigFile.plural(names.size(), "host name") + " resolved; " +
            "every address is requested directly below." : unresolved + " of " +
            ConfigFile.plural(names.size(), "host name") + " did not resolve: portgate run starts without their " +
            "targets and adds them once the names resolve.");
    }

    private static List<String> poolsNaming(final PortgateConfig config, final String name)
    {
        return config.pools().values().stream().filter(p -> p.targets().stream()
            .anyMatch(t -> t.isNamed() && TargetNames.key(t.name()).equals(TargetNames.key(name))))
            .map(PoolConfig::name).toList();
    }

    private static List<Map<String, Object>> namesToJson(final PortgateConfig config,
        final Map<String, Resolution> names)
    {
        final List<Map<String, Object>> list = new ArrayList<>();
        for (final Resolution r : names.values())
        {
            final Map<String, Object> item = new LinkedHashMap<>();
            item.put("name", r.name());
            item.put("pools", poolsNaming(config, r.name()));
            item.put("result", r.outcome().label());
            item.put("resolver", r.resolver());
            item.put("reason", r.isResolved() ? null : r.reason());
            item.put("records", r.records().stream().map(record ->
            {
                final Map<String, Object> m = new LinkedHashMap<>();
                m.put("type", record.type());
                m.put("address", record.address() instanceof java.net.Inet6Address v6 ?
                    io.portgate.config.Endpoint.ipv6(v6) : record.address().getHostAddress());
                m.put("ttl", record.ttlSeconds() == AddressRecord.UNKNOWN_TTL ? null : record.ttlSeconds());
                return m;
            }).toList());
            list.add(item);
        }
        return list;
    }

    private Map<String, Object> toJson(final ConfigLoader.Result result, final List<LiveCheck.Check> checks,
        final List<ListenerPorts.Conflict> portsInUse, final int status)
    {
        final Map<String, Object> m = new LinkedHashMap<>();
        m.put("file", file.toString());
        m.put("valid", !result.hasErrors());
        m.put("status", status);
        m.put("errors", result.count(io.portgate.config.Severity.ERROR));
        m.put("warnings", result.count(io.portgate.config.Severity.WARNING));
        m.put("notes", result.count(io.portgate.config.Severity.NOTE));
        m.put("diagnostics", result.diagnostics().stream().map(ConfigFile::toJson).toList());
        if (live)
        {
            final List<Map<String, Object>> list = new ArrayList<>();
            for (final LiveCheck.Check c : checks)
            {
                final Map<String, Object> item = new LinkedHashMap<>();
                item.put("pool", c.pool());
                item.put("target", c.targetLabel());
                item.put("port", c.kind().name().toLowerCase(Locale.ROOT));
                item.put("probe", c.protocol().configName());
                item.put("result", c.result().outcome().label());
                item.put("millis", c.result().latencyNanos() / 1e6);
                item.put("detail", c.result().detail());
                list.add(item);
            }
            m.put("live", list);
            final List<Map<String, Object>> taken = new ArrayList<>();
            for (final ListenerPorts.Conflict conflict : portsInUse)
            {
                final Map<String, Object> item = new LinkedHashMap<>();
                item.put("listener", conflict.listener().name());
                item.put("protocol", conflict.listener().protocol().configName());
                item.put("address", conflict.address().getAddress() instanceof java.net.Inet6Address v6 ?
                    io.portgate.config.Endpoint.ipv6(v6) : conflict.address().getAddress().getHostAddress());
                item.put("port", conflict.address().getPort());
                item.put("holders", conflict.holders().stream().map(h ->
                {
                    final Map<String, Object> holder = new LinkedHashMap<>();
                    holder.put("pid", h.pid() < 0 ? null : h.pid());
                    holder.put("command", h.command());
                    return holder;
                }).toList());
                item.put("message", conflict.message());
                taken.add(item);
            }
            m.put("portsInUse", taken);
        }
        return m;
    }
}
