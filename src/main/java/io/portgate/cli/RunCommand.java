package io.portgate.cli;

import io.portgate.Portgate;
import io.portgate.config.ConfigException;
import io.portgate.config.ConfigLoader;
import io.portgate.config.Endpoint;
import io.portgate.config.ListenerConfig;
import io.portgate.config.PortgateConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import sun.misc.Signal;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/**
 * {@code portgate run CONFIG}: validate, bind every listener, forward until SIGTERM or SIGINT, then drain (a second
 * one closes what is open at once); reload on SIGHUP and, with {@code --watch}, when CONFIG changes.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = {"Validate CONFIG, bind every listener and forward traffic until stopped.",
        "SIGTERM or SIGINT (Ctrl-C): with drain-announce, first answer GET /api/health with 503 for that long while " +
            "still serving; then stop accepting, let open connections finish for up to drain-timeout and UDP " +
            "flows until they go 1s without a datagram, then close what is left and exit 0. A second SIGTERM or " +
            "SIGINT closes what is open at once. A configuration with errors, or a listener that cannot bind, exits " +
            "2 before anything listens.",
        "SIGHUP (or --watch, or POST /api/reload on the admin endpoint): re-read CONFIG and apply it without " +
            "dropping connections; one line says what changed and which changes need a restart. A file with " +
            "errors is rejected with the messages 'portgate check' prints and the previous configuration keeps " +
            "running; a bad reload never stops portgate."})
final class RunCommand implements Callable<Integer>
{
    @Spec
    private CommandSpec spec;

    @Parameters(paramLabel = "CONFIG", description = "The configuration file (YAML).")
    private Path file;

    @Option(names = "--watch", description = "Also reload when the content of CONFIG changes. Its directory is " +
        "watched, so editors that save by renaming a new file over it are seen; the file is read once it has been " +
        "left alone for " + ConfigWatcher.QUIET_MS + " ms, and a save that changes nothing reloads nothing (one line " +
        "says so).")
    private boolean watch;

    @Override
    public Integer call() throws InterruptedException, IOException
    {
        final PrintWriter out = spec.commandLine().getOut();
        // Every line run writes to stderr is a log line, with a timestamp and a level.
        final LogLines.Output err = LogLines.over(spec.commandLine().getErr());
        final Reloader reloader = new Reloader(file, out, err);
        // Before the file is read, so that a SIGHUP or a change from now on is not lost; either waits for the start.
        final String hupProblem = handleHangup(reloader);
        if (hupProblem != null)
        {
            err.println("portgate run: " + hupProblem);
        }
        final ConfigWatcher watcher;
        try
        {
            // A missing directory means a missing file, which loading reports the way check does.
            watcher = watch && Files.isDirectory(file.toAbsolutePath().getParent()) ?
                ConfigWatcher.start(file, reloader::request, out, err) : null;
        }
        catch (final IOException ex)
        {
            err.error("portgate run: cannot watch " + file + ": " + ex);
            reloader.close();
            return Main.ERRORS;
        }
        try (reloader; watcher)
        {
            return run(out, err, reloader, watcher);
        }
    }

    /**
     * Makes SIGHUP reload. A process started with SIGHUP ignored (nohup, some service managers and job runners)
     * passes that on, and the JVM then silently declines to handle it; like nginx and HAProxy, {@code run} takes
     * SIGHUP anyway (a hangup then reloads instead of stopping, which is what ignoring it was for).
     *
     * @return null when SIGHUP reloads, else why it does not.
     */
    static String handleHangup(final Reloader reloader)
    {
        final Signal hup = new Signal("HUP");
        final sun.misc.SignalHandler handler = signal -> reloader.request();
        if (Signal.handle(hup, handler) != sun.misc.SignalHandler.SIG_IGN)
        {
            return null;
        }
        try
        {
            if (io.portgate.ffm.LibC.defaultSignal(hup.getNumber()) &&
                Signal.handle(hup, handler) != sun.misc.SignalHandler.SIG_IGN)
            {
                return null;
            }
        }
        catch (final RuntimeException | LinkageError ex)
        {
            return "SIGHUP is ignored (the process was started with it ignored, as nohup does) and cannot be taken " +
                "back without the native layer (" + ex.getMessage() + "): reload with --watch or POST /api/reload";
        }
        return "SIGHUP is ignored (the process was started with it ignored, as nohup does) and could not be taken " +
            "back: reload with --watch or POST /api/reload";
    }

    private Integer run(final PrintWriter out, final LogLines.Output err, final Reloader reloader,
        final ConfigWatcher watcher) throws InterruptedException, IOException
    {
        // Timestamped lines from the first one; the file's log-level and log-format once it is read.
        LogSetup.apply(PortgateConfig.DEFAULT_LOG_LEVEL, PortgateConfig.DEFAULT_LOG_FORMAT, System.err);
        final ConfigLoader.Result result = ConfigFile.load(file);
        if (result.hasErrors())
        {
            ConfigFile.printDiagnostics(err, result.diagnostics());
            err.println(file + ": " + ConfigFile.summary(result) + "; not starting");
            return Main.ERRORS;
        }
        final PortgateConfig config = result.config().metricsFile() != null ? result.config() :
            result.config().withMetricsFile(PortgateConfig.defaultMetricsFile());
        LogSetup.apply(config.logLevel(), config.logFormat(), System.err);
        err.configure(config.logLevel(), config.logFormat());
        ConfigFile.printDiagnostics(err, result.diagnostics());
        err.flush();
        final String heapNote = HeapLimit.note();
        if (heapNote != null)
        {
            // A log line, so that a log-format: json reader sees an object like every other line.
            System.getLogger("io.portgate").log(System.Logger.Level.WARNING, heapNote);
        }
        final Stop stop = new Stop();
        // Our own handlers rather than a shutdown hook: the drain runs on the main thread and the exit status is
        // ours (0), not the 143 or 130 of a JVM killed by the signal.
        Signal.handle(new Signal("TERM"), signal -> stop.signal());
        Signal.handle(new Signal("INT"), signal -> stop.signal());

        final String drain = io.portgate.config.Units.formatDuration(config.drainTimeout());
        final String quiet = io.portgate.config.Units.formatDuration(io.portgate.udp.UdpForwarder.QUIET_AT_STOP);
        final Portgate portgate;
        try
        {
            portgate = Portgate.start(config);
        }
        catch (final ConfigException | IllegalStateException | UncheckedIOException ex)
        {
            err.error("portgate run: " + ex.getMessage());
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
                    portgate.adminAddress().getPort()) + " (/metrics, /api/health, /api/listeners, /api/pools, /api/reload)");
            }
            if (watcher != null)
            {
                out.println("portgate: watching " + file + ": a change to it reloads");
            }
            out.println("portgate: running, " + config.workers() + " workers, pid " + ProcessHandle.current().pid() +
                "; SIGHUP reloads " + file + ", SIGTERM or Ctrl-C drains (up to " + drain + ") and stops");
            out.flush();
            reloader.attach(portgate);
            stop.awaitFirst();
            announceStop(portgate, stop, out);
            out.println("portgate: stopping: no new connections; open connections may finish for up to " + drain +
                ", UDP flows until " + quiet + " without a datagram; SIGTERM or Ctrl-C again stops at once");
            out.flush();
            // No reload may start while the listeners drain; one in progress finishes first.
            if (watcher != null)
            {
                watcher.close();
            }
            reloader.close();
            stop.drain(portgate, config.drainTimeout());
        }
        out.println("portgate: stopped");
        out.flush();
        return Main.OK;
    }

    /**
     * With {@code drain-announce}, reports the instance unhealthy ({@code GET /api/health} answers 503 "stopping")
     * and keeps serving everything for that long, so that the engine in front (keepalived, BIRD, ExaBGP) moves
     * traffic away before the listeners close; a second signal ends the wait at once.
     */
    private static void announceStop(final Portgate portgate, final Stop stop, final PrintWriter out)
        throws InterruptedException
    {
        final Duration announce = portgate.config().drainAnnounce();
        if (announce.isZero())
        {
            return;
        }
        portgate.announceStop();
        out.println("portgate: stopping: /api/health answers 503 \"stopping\" for " +
            io.portgate.config.Units.formatDuration(announce) + " while everything is still served; then the " +
            "listeners close; SIGTERM or Ctrl-C again stops at once");
        out.flush();
        stop.awaitSecond(announce);
    }

    /**
     * What SIGTERM and SIGINT ask for: the first stops accepting and drains, any later one closes what is still open
     * at once. Signal handlers run on threads of their own, so a later signal hurries the drain the main thread is
     * in.
     */
    private static final class Stop
    {
        private final CountDownLatch first = new CountDownLatch(1);
        private final CountDownLatch second = new CountDownLatch(1);
        private Portgate draining;
        private boolean hurry;

        void signal()
        {
            final Portgate hurried;
            synchronized (this)
            {
                if (first.getCount() > 0)
                {
                    first.countDown();
                    return;
                }
                hurry = true;
                hurried = draining;
            }
            second.countDown();
            if (hurried != null)
            {
                hurried.close(Duration.ZERO);
            }
        }

        void awaitFirst() throws InterruptedException
        {
            first.await();
        }

        /** Waits until a second signal or the timeout, whichever comes first. */
        void awaitSecond(final Duration timeout) throws InterruptedException
        {
            final long nanos = timeout.compareTo(Duration.ofDays(366)) > 0 ? Long.MAX_VALUE : timeout.toNanos();
            second.await(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
        }

        /** Drains on the calling thread; returns once every socket is closed, sooner when another signal came. */
        void drain(final Portgate portgate, final Duration drain)
        {
            final boolean now;
            synchronized (this)
            {
                draining = portgate;
                now = hurry;
            }
            portgate.close(now ? Duration.ZERO : drain);
        }
    }
}
