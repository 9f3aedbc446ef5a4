package io.portgate.cli;

import io.portgate.Portgate;
import io.portgate.config.ConfigException;
import io.portgate.config.ConfigLoader;
import io.portgate.config.Endpoint;
import io.portgate.config.ListenerConfig;
import io.portgate.config.PortgateConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import sun.misc.Signal;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/** {@code portgate run CONFIG}: validate, bind every listener, forward until SIGTERM or SIGINT, then drain. */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = {"Validate CONFIG, bind every listener and forward traffic until stopped.",
        "SIGTERM or SIGINT (Ctrl-C): stop accepting, let open connections finish for up to drain-timeout, then " +
            "close them and exit 0. A configuration with errors, or a listener that cannot bind, exits 2 before " +
            "anything listens."})
final class RunCommand implements Callable<Integer>
{
    @Spec
    private CommandSpec spec;

    @Parameters(paramLabel = "CONFIG", description = "The configuration file (YAML).")
    private Path file;

    @Override
    public Integer call() throws InterruptedException
    {
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        final ConfigLoader.Result result = ConfigFile.load(file);
        ConfigFile.printDiagnostics(err, result.diagnostics());
        err.flush();
        if (result.hasErrors())
        {
            err.println(file + ": " + ConfigFile.summary(result) + "; not starting");
            return Main.ERRORS;
        }
        final PortgateConfig config = result.config().metricsFile() != null ? result.config() :
            result.config().withMetricsFile(PortgateConfig.defaultMetricsFile());
        final CountDownLatch stop = new CountDownLatch(1);
        // Our own handlers rather than a shutdown hook: the drain runs on the main thread and the exit status is
        // ours (0), not the 143 or 130 of a JVM killed by the signal.
        Signal.handle(new Signal("TERM"), signal -> stop.countDown());
        Signal.handle(new Signal("INT"), signal -> stop.countDown());

        final Portgate portgate;
        try
        {
            portgate = Portgate.start(config);
        }
        catch (final ConfigException | IllegalStateException | UncheckedIOException ex)
        {
            err.println("portgate run: " + ex.getMessage());
            return Main.ERRORS;
        }
        try (portgate)
        {
            for (final ListenerConfig listener : config.listeners())
            {
                out.println("portgate: listener '" + listener.name() + "' " + listener.protocol() + " " +
                    portgate.boundAddresses(listener.name()).stream()
                        .map(a -> Endpoint.format(a.getAddress(), a.getPort()))
                        .collect(Collectors.joining(", ")) + " -> pool '" + listener.pool() + "'");
            }
            out.println("portgate: counters in " + portgate.metricsFile() + " (portgate stat reads them)");
            if (portgate.adminAddress() != null)
            {
                out.println("portgate: admin on http://" + Endpoint.format(portgate.adminAddress().getAddress(),
                    portgate.adminAddress().getPort()) + " (/metrics, /api/listeners, /api/pools)");
            }
            out.println("portgate: running, " + config.workers() + " workers, pid " + ProcessHandle.current().pid() +
                "; SIGTERM or Ctrl-C drains (up to " + io.portgate.config.Units.formatDuration(config.drainTimeout()) +
                ") and stops");
            out.flush();
            stop.await();
            out.println("portgate: stopping: no new connections, draining open ones");
            out.flush();
        }
        out.println("portgate: stopped");
        out.flush();
        return Main.OK;
    }
}
