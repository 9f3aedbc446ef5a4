package io.portgate.cli;

import io.portgate.bench.harness.BenchContext;
import io.portgate.bench.harness.BenchMode;
import io.portgate.bench.harness.BenchReport;
import io.portgate.bench.harness.BenchRunner;
import io.portgate.bench.harness.BenchServer;
import io.portgate.bench.harness.UdpSink;
import io.portgate.config.Addresses;
import io.portgate.config.Endpoint;
import io.portgate.config.Units;
import io.portgate.util.Json;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code portgate bench MODE TARGET}: a load generator for any TCP or UDP address, and the servers it needs. */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
    subcommands = BenchCommand.ServerCommand.class,
    description = {
        "Measure a TCP or UDP address: portgate, another balancer or a bare server.",
        "",
        "Modes:",
        "  rr          TCP request/response round trips over -c connections,",
        "              one request outstanding on each.",
        "  connect     Connection setup by -c concurrent clients: connect, exchange",
        "              -s bytes, close. Reports the handshake (connect start to",
        "              first reply byte), the TCP connect, and connections/s.",
        "  udp-rr      UDP request/response round trips over -c flows (a socket,",
        "              so a source port, each).",
        "  udp-oneway  UDP datagrams one way at --rate over -c flows to a sink this",
        "              command runs at --sink, where the target must forward them.",
        "              Counts loss, duplicates and reordering exactly. Without",
        "              TARGET it sends straight into the sink, as a baseline.",
        "  bulk        TCP throughput: -c streams writing for the whole run into a",
        "              sink that discards.",
        "",
        "rr, connect and udp-rr need an echo at the far end, bulk a discard sink:",
        "'portgate bench server' runs either. Without --rate a run is closed loop,",
        "each connection sending as soon as its reply is in. With --rate the total",
        "rate is constant and each latency is measured from the time its request",
        "was meant to be sent (as wrk2 does), so a stall shows in every request it",
        "delayed, not in one sample: no coordinated omission.",
        ""},
    footer = {"", "Examples:",
        "  portgate bench server --echo tcp --bind 127.0.0.1:9000 &",
        "  portgate bench rr 127.0.0.1:8080 -c 16 --rate 20000 --duration 10s",
        "  portgate bench udp-oneway 127.0.0.1:5000 --sink 127.0.0.1:9000 \\",
        "      --rate 50000 -c 64 --format json"},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:the run completed (errors it met are in the report)",
        "2:bad command line, the target could not be reached, or nothing could be measured"})
final class BenchCommand implements Callable<Integer>
{
    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "MODE",
        description = "rr, connect, udp-rr, udp-oneway or bulk.")
    private String mode;

    @Parameters(index = "1", arity = "0..1", paramLabel = "TARGET",
        description = "The address under test, address:port.")
    private String target;

    @Option(names = {"-c", "--connections"}, paramLabel = "N",
        description = "Connections (rr), concurrent clients (connect), flows (udp-rr, udp-oneway) or streams " +
            "(bulk); default 1.")
    private Integer connections;

    @Option(names = {"-s", "--size"}, paramLabel = "SIZE",
        description = "Message size, at least " + io.portgate.bench.harness.Payload.HEADER_LENGTH + " for rr, " +
            "udp-rr and udp-oneway (they carry a sequence number and send time); default " +
            BenchContext.DEFAULT_MESSAGE_SIZE + ". For bulk the write size; default 64k.")
    private String size;

    @Option(names = {"-r", "--rate"}, paramLabel = "R",
        description = "Total operations per second over all connections, constant; default: as fast as replies " +
            "come (closed loop), and " + BenchContext.DEFAULT_ONEWAY_RATE + " for udp-oneway. Not for bulk.")
    private Long rate;

    @Option(names = {"-d", "--duration"}, paramLabel = "DURATION",
        description = "Measured time, after the warm-up; default 5s.")
    private String duration;

    @Option(names = {"-w", "--warmup"}, paramLabel = "DURATION",
        description = "Warm-up, run first and left out of the results; default 1s.")
    private String warmup;

    @Option(names = {"-n", "--count"}, paramLabel = "N",
        description = "Stop after N measured operations, or at the end of the duration if that comes first.")
    private Long count;

    @Option(names = {"-t", "--threads"}, paramLabel = "N",
        description = "Client threads sharing the connections of rr and udp-rr; default 1.")
    private Integer threads;

    @Option(names = "--timeout", paramLabel = "DURATION",
        description = "How long a reply or a connect may take before it counts as timed out; default 1s.")
    private String timeout;

    @Option(names = "--sink", paramLabel = "ADDRESS",
        description = "udp-oneway: where this command listens and counts, the address the target forwards to.")
    private String sink;

    @Option(names = "--drain", paramLabel = "DURATION",
        description = "udp-oneway: how long the sink keeps counting after the last send; default 200ms.")
    private String drain;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text",
        description = "text or json (default: ${DEFAULT-VALUE}).")
    private String format;

    @Option(names = "--histogram-log", paramLabel = "FILE",
        description = "Also write an HdrHistogram interval log, one interval a second, values in nanoseconds.")
    private Path histogramLog;

    @Option(names = {"-q", "--quiet"}, description = "No progress line on stderr.")
    private boolean quiet;

    @Override
    public Integer call()
    {
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        final boolean json;
        final BenchContext context;
        try
        {
            json = parseFormat(format);
            context = context(err);
        }
        catch (final IllegalArgumentException ex)
        {
            err.println("portgate bench: " + ex.getMessage());
            return Main.ERRORS;
        }
        final BenchReport report;
        try
        {
            report = BenchRunner.run(context);
        }
        catch (final IOException | IllegalArgumentException ex)
        {
            err.println("portgate bench: " + ex.getMessage());
            return Main.ERRORS;
        }
        out.print(json ? Json.pretty(report.toMap()) + System.lineSeparator() : report.toText());
        out.flush();
        if (report.operations() == 0)
        {
            err.println("portgate bench: no " + report.mode().operations() + " completed in the measured time" +
                (report.errors() > 0 ? "; the errors above say why" : ""));
            return Main.ERRORS;
        }
        return Main.OK;
    }

    private BenchContext context(final PrintWriter err)
    {
        if (mode == null)
        {
            throw new IllegalArgumentException("give a mode: " + BenchMode.names() + " (or 'server' to run an echo " +
                "server or a sink); see 'portgate bench --help'");
        }
        final BenchMode benchMode = BenchMode.of(mode);
        final BenchContext context = new BenchContext().mode(benchMode);
        if (target != null)
        {
            context.target(address("target", target, false));
        }
        else if (benchMode != BenchMode.UDP_ONEWAY)
        {
            throw new IllegalArgumentException(benchMode.cliName() + " needs a TARGET address, e.g. " +
                "'portgate bench " + benchMode.cliName() + " 127.0.0.1:8080'");
        }
        if (sink != null)
        {
            final InetSocketAddress sinkAddress = address("--sink", sink, true);
            if (sinkAddress.getPort() == 0 && target != null)
            {
                throw new IllegalArgumentException("--sink: port 0 would pick a port the target cannot know; give " +
                    "the port the target forwards to");
            }
            context.sinkBind(sinkAddress);
        }
        if (connections != null)
        {
            context.connections(connections);
        }
        if (size != null)
        {
            context.size(size("--size", size));
        }
        if (rate != null)
        {
            if (rate <= 0)
            {
                throw new IllegalArgumentException("--rate must be more than zero, not " + rate + "; leave it out " +
                    "to run as fast as replies come");
            }
            context.ratePerSecond(rate);
        }
        if (duration != null)
        {
            context.duration(duration("--duration", duration));
        }
        if (warmup != null)
        {
            context.warmup(duration("--warmup", warmup));
        }
        if (count != null)
        {
            if (count <= 0)
            {
                throw new IllegalArgumentException("--count must be more than zero, not " + count);
            }
            context.count(count);
        }
        if (threads != null)
        {
            context.threads(threads);
        }
        if (timeout != null)
        {
            context.timeout(duration("--timeout", timeout));
        }
        if (drain != null)
        {
            context.drain(duration("--drain", drain));
        }
        context.histogramLog(histogramLog);
        if (!quiet)
        {
            context.progress(line ->
            {
                err.println(line);
                err.flush();
            });
        }
        return context.conclude();
    }

    static boolean parseFormat(final String format)
    {
        return switch (format.toLowerCase(Locale.ROOT))
        {
            case "text" -> false;
            case "json" -> true;
            default -> throw new IllegalArgumentException("--format '" + format + "' is not one of: text, json");
        };
    }

    /** Parses address:port; port 0 (pick a free port) only where binding allows it. */
    static InetSocketAddress address(final String what, final String text, final boolean allowPortZero)
    {
        try
        {
            final String trimmed = text.trim();
            if (allowPortZero && trimmed.endsWith(":0"))
            {
                final String host = trimmed.substring(0, trimmed.length() - 2);
                final String bare = host.startsWith("[") && host.endsWith("]") ?
                    host.substring(1, host.length() - 1) : host;
                return new InetSocketAddress(Addresses.resolve(bare), 0);
            }
            final Endpoint endpoint = Addresses.parseEndpoint(trimmed, true);
            if (!endpoint.ports().isSingle())
            {
                throw new IllegalArgumentException("'" + text + "' is a port range; give one port");
            }
            return endpoint.socketAddress();
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException(what + ": " + ex.getMessage(), ex);
        }
    }

    static Duration duration(final String what, final String text)
    {
        try
        {
            return Units.parseDuration(text);
        }
        catch (final IllegalArgumentException | ArithmeticException ex)
        {
            throw new IllegalArgumentException(what + ": " + ex.getMessage(), ex);
        }
    }

    private static int size(final String what, final String text)
    {
        final long bytes;
        try
        {
            bytes = Units.parseSize(text);
        }
        catch (final IllegalArgumentException | ArithmeticException ex)
        {
            throw new IllegalArgumentException(what + ": " + ex.getMessage(), ex);
        }
        if (bytes <= 0 || bytes > Integer.MAX_VALUE)
        {
            throw new IllegalArgumentException(what + " must be between 1 byte and 2g, not " + text);
        }
        return (int)bytes;
    }

    /** {@code portgate bench server}: an echo server or a sink, for the modes to measure against. */
    @Command(name = "server", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Run an echo server or a sink for the modes to measure against.",
            "It runs until interrupted or for --duration: the far end for rr, connect",
            "and udp-rr (--echo tcp|udp), for bulk (--sink tcp), or a standalone UDP",
            "sink counting bench datagrams (--sink udp).",
            "Prints the address it listens on (useful with port 0), what it handled",
            "once a second on stderr unless --quiet, and a summary when --duration",
            "ends it.",
            ""},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:stopped at the end of --duration", "2:bad command line or cannot bind"})
    static final class ServerCommand implements Callable<Integer>
    {
        @Spec
        private CommandSpec spec;

        @ArgGroup(exclusive = true, multiplicity = "1")
        private Role role;

        @Option(names = "--bind", required = true, paramLabel = "ADDRESS",
            description = "Where to listen, address:port; port 0 picks a free one.")
        private String bind;

        @Option(names = {"-d", "--duration"}, paramLabel = "DURATION",
            description = "Stop after this long; default: run until interrupted.")
        private String duration;

        @Option(names = {"-q", "--quiet"}, description = "No once-a-second line on stderr.")
        private boolean quiet;

        /** Exactly one of echo or sink, with its protocol. */
        static final class Role
        {
            @Option(names = "--echo", paramLabel = "PROTO", description = "tcp or udp: send everything back.")
            private String echo;

            @Option(names = "--sink", paramLabel = "PROTO",
                description = "tcp: read and discard; udp: count datagrams, loss and reordering of bench payloads.")
            private String sink;
        }

        @Override
        public Integer call()
        {
            final PrintWriter out = spec.commandLine().getOut();
            final PrintWriter err = spec.commandLine().getErr();
            final BenchServer.Kind kind;
            final InetSocketAddress address;
            final Duration limit;
            try
            {
                kind = kind();
                address = address("--bind", bind, true);
                limit = duration == null ? null : duration("--duration", duration);
            }
            catch (final IllegalArgumentException ex)
            {
                err.println("portgate bench server: " + ex.getMessage());
                return Main.ERRORS;
            }
            final BenchServer server;
            try
            {
                server = BenchServer.start(kind, address);
            }
            catch (final IOException ex)
            {
                err.println("portgate bench server: " + ex.getMessage());
                return Main.ERRORS;
            }
            try (server)
            {
                out.println("portgate bench server: " + kind.label() + " listening on " +
                    Endpoint.format(server.localAddress().getAddress(), server.localAddress().getPort()));
                out.flush();
                serve(server, limit, err);
            }
            out.println(summary(server));
            out.flush();
            return Main.OK;
        }

        private BenchServer.Kind kind()
        {
            final String option = role.echo != null ? "--echo" : "--sink";
            try
            {
                return BenchServer.Kind.of(option.substring(2), role.echo != null ? role.echo : role.sink);
            }
            catch (final IllegalArgumentException ex)
            {
                throw new IllegalArgumentException(option + ": " + ex.getMessage(), ex);
            }
        }

        private void serve(final BenchServer server, final Duration limit, final PrintWriter err)
        {
            final long startNs = System.nanoTime();
            final long endNs = limit == null ? Long.MAX_VALUE : startNs + limit.toNanos();
            long nextTickNs = startNs + 1_000_000_000L;
            long lastMessages = 0;
            long lastBytes = 0;
            while (System.nanoTime() - endNs < 0)
            {
                final long sleepNs = Math.min(nextTickNs, endNs) - System.nanoTime();
                if (sleepNs > 0)
                {
                    try
                    {
                        Thread.sleep(Duration.ofNanos(sleepNs));
                    }
                    catch (final InterruptedException ex)
                    {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                if (System.nanoTime() - nextTickNs >= 0)
                {
                    nextTickNs += 1_000_000_000L;
                    if (!quiet)
                    {
                        final long messages = server.messages();
                        final long bytes = server.bytes();
                        err.println(String.format(Locale.ROOT, "%6.0fs  %s  %d %s/s  %.1f MB/s  connections %d",
                            (System.nanoTime() - startNs) / 1e9, server.kind().label(), messages - lastMessages,
                            server.kind().name().startsWith("UDP") ? "datagrams" : "reads",
                            (bytes - lastBytes) / 1e6, server.connections()));
                        err.flush();
                        lastMessages = messages;
                        lastBytes = bytes;
                    }
                }
            }
        }

        private static String summary(final BenchServer server)
        {
            final String handled = server.kind().name().startsWith("UDP") ?
                server.messages() + " datagrams, " + server.bytes() + " bytes" :
                server.connections() + " connections, " + server.bytes() + " bytes";
            if (server instanceof UdpSink sink)
            {
                final UdpSink.Stats s = sink.stats();
                return "portgate bench server: " + handled + "; measured bench datagrams: " + s.received() +
                    " distinct, " + s.duplicates() + " duplicates, " + s.reordered() + " reordered, from " +
                    s.flows() + " flows";
            }
            return "portgate bench server: " + handled;
        }
    }
}
