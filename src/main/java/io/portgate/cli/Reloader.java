package io.portgate.cli;

import io.portgate.Portgate;
import io.portgate.ReloadResult;
import io.portgate.config.ConfigException;
import io.portgate.config.Diagnostic;
import io.portgate.config.Severity;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Reloads the running balancer from its file on a thread of its own, one reload at a time, for {@code run}'s
 * SIGHUP and {@code --watch}. A rejected reload prints what {@code check} prints and one line saying the previous
 * configuration still runs; it never stops the process.
 */
final class Reloader implements AutoCloseable
{
    private static final long CLOSE_WAIT_SECONDS = 10;

    private final Path file;
    private final PrintWriter out;
    private final PrintWriter err;
    private final ExecutorService executor = Executors.newSingleThreadExecutor(r ->
    {
        final Thread t = new Thread(r, "portgate-reload");
        t.setDaemon(true);
        return t;
    });
    /** A reload is queued and has not read the file yet: further requests are already served by it. */
    private final AtomicBoolean queued = new AtomicBoolean();
    /** Opens once the balancer runs, or when it never will; a request made before then waits for it. */
    private final CountDownLatch attached = new CountDownLatch(1);
    private volatile Reloadable portgate;

    Reloader(final Path file, final PrintWriter out, final PrintWriter err)
    {
        this.file = file;
        this.out = out;
        this.err = err;
    }

    /**
     * Asks for a reload. Returns at once, so it is safe on the signal-dispatch thread; requests made while one is
     * queued are served by that one, since it has not read the file yet.
     */
    void request()
    {
        if (queued.compareAndSet(false, true))
        {
            try
            {
                executor.execute(this::reloadWhenAttached);
            }
            catch (final RejectedExecutionException stopping)
            {
                queued.set(false);
            }
        }
    }

    /**
     * The balancer to reload; requests made before it started are served now.
     *
     * @param running the running balancer.
     */
    void attach(final Portgate running)
    {
        attach(running::reload);
    }

    /**
     * What to reload: the running balancer's {@link Portgate#reload()}.
     *
     * @param running re-reads the file and applies it.
     */
    void attach(final Reloadable running)
    {
        portgate = running;
        attached.countDown();
    }

    /** Re-reads the configuration file and applies it, as {@link Portgate#reload()} does. */
    @FunctionalInterface
    interface Reloadable
    {
        /**
         * Reloads.
         *
         * @return what was applied.
         */
        ReloadResult reload();
    }

    /** Lets a reload in progress finish and refuses further requests. */
    @Override
    public void close()
    {
        attached.countDown();
        executor.shutdown();
        try
        {
            executor.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private void reloadWhenAttached()
    {
        try
        {
            attached.await();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return;
        }
        // Cleared before the file is read: a change written from now on needs a reload of its own.
        queued.set(false);
        final Reloadable running = portgate;
        if (running != null && !executor.isShutdown())
        {
            try
            {
                reload(running);
            }
            catch (final RuntimeException | Error ex)
            {
                // Unexpected, whatever it is: reported as a rejected reload, and the next request is served.
                rejected(List.of(), unexpected(ex));
            }
        }
    }

    private static String unexpected(final Throwable ex)
    {
        final String message = ex.getMessage();
        return ex instanceof Error || message == null ? ex.getClass().getName() +
            (message == null ? "" : ": " + message) : message;
    }

    private void reload(final Reloadable running)
    {
        final ReloadResult result;
        try
        {
            // The balancer reads the file it started from, keeps its metrics file when the file names none, and
            // counts the reload (portgate_reloads_total) whatever comes of it.
            result = running.reload();
        }
        catch (final ConfigException ex)
        {
            rejected(ex.diagnostics(), ConfigFile.plural(ex.diagnostics().stream()
                .filter(d -> d.severity() == Severity.ERROR).count(), "error") + " in " + file);
            return;
        }
        catch (final IllegalStateException ex)
        {
            rejected(List.of(), String.valueOf(ex.getMessage()));
            return;
        }
        // One line per reload: the file's warnings, which start printed in full, are only counted here.
        final long warnings = result.warnings().size();
        out.println("portgate: " + result.logLine() + (warnings == 0 ? "" :
            " [" + ConfigFile.plural(warnings, "warning") + " in " + file + ": portgate check lists them]"));
        out.flush();
    }

    private void rejected(final List<Diagnostic> diagnostics, final String reason)
    {
        ConfigFile.printDiagnostics(err, diagnostics);
        err.println("portgate: reload result=rejected reason=" + reason.replace('\n', ' ') +
            "; still running the previous configuration");
        err.flush();
    }
}
