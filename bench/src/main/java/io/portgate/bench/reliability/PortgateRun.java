package io.portgate.bench.reliability;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real {@code ./portgate run CONFIG} process, started the way a user starts it (the launcher, its default JVM
 * options unless the scenario gives {@code PORTGATE_JAVA_OPTS}), optionally under {@code prlimit}, and what the suite
 * reads from it: its pid, resident memory, heap, CPU time and open files from {@code /proc} and {@code jcmd}, and its
 * admin endpoint.
 */
final class PortgateRun implements AutoCloseable
{
    private static final Pattern PID = Pattern.compile("pid (\\d+)");
    private static final Pattern USED = Pattern.compile("used (\\d+)([KMG])");
    private static final long CLOCK_TICKS_PER_SECOND = 100;

    private final Process process;
    private final long pid;
    private final List<String> out;
    private final List<String> err;
    private final AdminClient admin;

    private PortgateRun(final Process process, final long pid, final AdminClient admin, final List<String> out,
        final List<String> err)
    {
        this.process = process;
        this.pid = pid;
        this.admin = admin;
        this.out = out;
        this.err = err;
    }

    /**
     * Starts {@code ./portgate run CONFIG} and waits for its "running" line.
     *
     * @param root      the repository root, where {@code ./portgate} is.
     * @param config    the configuration file; it must name a {@code metrics-file} of its own.
     * @param adminPort the configuration's admin port, or 0 for none.
     * @param nofile    an open-file limit to run it under ({@code prlimit --nofile=N:N}), or 0 for the suite's own.
     * @param javaOpts  {@code PORTGATE_JAVA_OPTS}, or null for the launcher's defaults.
     * @return the running balancer.
     * @throws IOException when it does not start within 60 s, with what it printed.
     */
    static PortgateRun start(final Path root, final Path config, final int adminPort, final int nofile,
        final String javaOpts) throws IOException
    {
        final List<String> command = new ArrayList<>();
        if (nofile > 0)
        {
            command.addAll(List.of("prlimit", "--nofile=" + nofile + ":" + nofile, "--"));
        }
        command.addAll(List.of(root.resolve("portgate").toString(), "run", config.toString()));
        final ProcessBuilder pb = new ProcessBuilder(command).directory(root.toFile());
        final Map<String, String> env = pb.environment();
        env.remove("PORTGATE_JAVA_OPTS");
        if (javaOpts != null)
        {
            env.put("PORTGATE_JAVA_OPTS", javaOpts);
        }
        // The suite builds first (run.sh); a stale jar must not trigger a build inside a measurement.
        env.put("PORTGATE_SKIP_BUILD", "1");
        final Process process = pb.start();
        final List<String> out = new ArrayList<>();
        final List<String> err = new ArrayList<>();
        collect(process.getInputStream(), out, "stdout");
        collect(process.getErrorStream(), err, "stderr");
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() - deadline < 0)
        {
            synchronized (out)
            {
                for (final String line : out)
                {
                    final Matcher m = PID.matcher(line);
                    if (line.startsWith("portgate: running") && m.find())
                    {
                        return new PortgateRun(process, Long.parseLong(m.group(1)),
                            adminPort > 0 ? new AdminClient(adminPort) : null, out, err);
                    }
                }
            }
            if (!process.isAlive())
            {
                break;
            }
            sleep(50);
        }
        process.destroyForcibly();
        synchronized (out)
        {
            synchronized (err)
            {
                throw new IOException("./portgate run " + config + " did not start\n" + String.join("\n", out) +
                    "\n" + String.join("\n", err));
            }
        }
    }

    private static void collect(final InputStream in, final List<String> lines, final String name)
    {
        Thread.ofPlatform().daemon().name("portgate-run-" + name).start(() ->
        {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)))
            {
                for (String line; (line = r.readLine()) != null; )
                {
                    synchronized (lines)
                    {
                        lines.add(line);
                    }
                }
            }
            catch (final IOException ignored)
            {
                // the process ended
            }
        });
    }

    /** @return the JVM's pid (the launcher execs java). */
    long pid()
    {
        return pid;
    }

    /** @return the admin endpoint's client. */
    AdminClient admin()
    {
        return admin;
    }

    /** @return whether it still runs. */
    boolean alive()
    {
        return process.isAlive();
    }

    /** @return resident memory in KiB, from {@code /proc/PID/status}. */
    long rssKiB() throws IOException
    {
        for (final String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")))
        {
            if (line.startsWith("VmRSS:"))
            {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IOException("no VmRSS in /proc/" + pid + "/status");
    }

    /** @return CPU time used so far, user and system, in seconds. */
    double cpuSeconds() throws IOException
    {
        final String stat = Files.readAllLines(Path.of("/proc", Long.toString(pid), "stat")).getFirst();
        // Fields after the command's closing parenthesis: state is field 3, utime 14, stime 15.
        final String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / (double)CLOCK_TICKS_PER_SECOND;
    }

    /** @return how many files it has open. */
    int openFiles() throws IOException
    {
        try (var files = Files.list(Path.of("/proc", Long.toString(pid), "fd")))
        {
            return (int)files.count();
        }
    }

    /**
     * The heap in use after a full collection, from {@code jcmd PID GC.run} and {@code GC.heap_info}.
     *
     * @return KiB.
     */
    long heapUsedAfterGcKiB() throws IOException
    {
        jcmd("GC.run");
        long used = 0;
        for (final String line : jcmd("GC.heap_info").lines().toList())
        {
            final String t = line.strip();
            // One line per heap space of each collector: G1, Serial (JDK 25 names), Parallel, ZGC, Shenandoah.
            if (!(t.startsWith("garbage-first heap") || t.startsWith("DefNew") || t.startsWith("Tenured") ||
                t.startsWith("def new generation") || t.startsWith("tenured generation") ||
                t.startsWith("PSYoungGen") || t.startsWith("ParOldGen") || t.startsWith("ZHeap") ||
                t.startsWith("Shenandoah")))
            {
                continue;
            }
            final Matcher m = USED.matcher(t);
            if (m.find())
            {
                final long value = Long.parseLong(m.group(1));
                used += switch (m.group(2))
                {
                    case "K" -> value;
                    case "M" -> value * 1024;
                    default -> value * 1024 * 1024;
                };
            }
        }
        return used;
    }

    /**
     * Runs a {@code jcmd} command against it.
     *
     * @param command the command and its arguments.
     * @return what jcmd printed.
     */
    String jcmd(final String... command) throws IOException
    {
        final List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString());
        cmd.add(Long.toString(pid));
        cmd.addAll(List.of(command));
        final Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        final String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try
        {
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0)
            {
                throw new IOException("jcmd " + String.join(" ", command) + " failed: " + text);
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", ex);
        }
        return text;
    }

    /** @return the JVM's command line, from {@code /proc/PID/cmdline}. */
    List<String> commandLine() throws IOException
    {
        final byte[] bytes = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
        return List.of(new String(bytes, StandardCharsets.UTF_8).split("\0"));
    }

    /**
     * Sends a signal with kill(1).
     *
     * @param signal its name, HUP or TERM say.
     */
    void signal(final String signal) throws IOException
    {
        try
        {
            final Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).start();
            kill.waitFor(10, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    /** @return what it printed on stderr so far. */
    List<String> stderr()
    {
        synchronized (err)
        {
            return List.copyOf(err);
        }
    }

    /**
     * Counts lines on stderr that contain a text.
     *
     * @param text the text.
     * @return how many.
     */
    long stderrLinesWith(final String text)
    {
        return stderr().stream().filter(l -> l.contains(text)).count();
    }

    /** Stops it with SIGTERM, or kills it after 20 s. */
    @Override
    public void close()
    {
        if (process.isAlive())
        {
            try
            {
                signal("TERM");
                if (!process.waitFor(20, TimeUnit.SECONDS))
                {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            }
            catch (final IOException | InterruptedException ex)
            {
                process.destroyForcibly();
            }
        }
    }

    static void sleep(final long ms)
    {
        try
        {
            Thread.sleep(ms);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    static void sleep(final Duration duration)
    {
        sleep(duration.toMillis());
    }
}
