package io.portgate.bench.reliability;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The reliability suite (issue 15): real {@code ./portgate run} processes and real clients on 127.0.0.1, a scenario
 * at a time, each bounded in time and count, each reporting a figure and a verdict into a Markdown report. Run it
 * with {@code bench/reliability/run.sh} (README, "Reliability suite").
 *
 * <pre>
 * ReliabilitySuite [--quick] [--only NAME,...] [--report FILE] [--root DIR] [--java-opts OPTS] [--list]
 * </pre>
 *
 * <p>Exit status: 0 when every required scenario passed, 1 when one failed or could not run, 2 on a bad command
 * line. A scenario that is not required (its fix is not in yet) reports its FAIL and figure without changing the exit
 * status.
 */
public final class ReliabilitySuite
{
    private static final Duration SCENARIO_LIMIT = Duration.ofMinutes(6);

    private ReliabilitySuite()
    {
    }

    /** Every scenario, in the order they run. */
    static List<Scenario> scenarios()
    {
        return List.of(new ConcurrentConnections(), new ConnectionMemory(), new UdpFlows(), new FdExhaustion(),
            new TargetKilled(),
            new IdleClients(), new NonReadingClients(), new ReloadStorm(), new UdpFlood(), new SlowAdminClients(),
            new MalformedAdmin());
    }

    /**
     * Runs the suite.
     *
     * @param args see the class comment.
     */
    public static void main(final String[] args) throws Exception
    {
        System.exit(run(args, scenarios()));
    }

    /**
     * Runs the chosen scenarios and writes the report.
     *
     * @param args      the command line.
     * @param scenarios the scenarios to choose from.
     * @return the exit status: 0 when every required scenario passed, 1 when one did not, 2 on a bad command line.
     */
    static int run(final String[] args, final List<Scenario> scenarios) throws Exception
    {
        try
        {
            return runChecked(args, scenarios);
        }
        catch (final UsageException ex)
        {
            System.err.println("reliability: " + ex.getMessage() + "\nusage: bench/reliability/run.sh [--quick] " +
                "[--only NAME,...] [--report FILE] [--java-opts OPTS] [--list]");
            return 2;
        }
    }

    private static int runChecked(final String[] args, final List<Scenario> scenarios) throws Exception
    {
        boolean quick = false;
        Set<String> only = null;
        Path report = null;
        Path root = Path.of(".").toAbsolutePath().normalize();
        String javaOpts = null;
        for (int i = 0; i < args.length; i++)
        {
            switch (args[i])
            {
                case "--quick" -> quick = true;
                case "--only" -> only = new LinkedHashSet<>(Arrays.asList(value(args, ++i).split(",")));
                case "--report" -> report = Path.of(value(args, ++i));
                case "--root" -> root = Path.of(value(args, ++i)).toAbsolutePath().normalize();
                case "--java-opts" -> javaOpts = value(args, ++i);
                case "--list" ->
                {
                    for (final Scenario s : scenarios)
                    {
                        System.out.println(s.name() + (s.required() ? " (required)" : " (not required yet)") +
                            ": " + s.what());
                    }
                    return 0;
                }
                default -> throw new UsageException("unknown option '" + args[i] + "'");
            }
        }
        final List<Scenario> chosen = new ArrayList<>();
        for (final Scenario s : scenarios)
        {
            if (only == null || only.contains(s.name()))
            {
                chosen.add(s);
            }
        }
        if (only != null && chosen.size() != only.size())
        {
            throw new UsageException("--only names a scenario there is not; --list lists them");
        }
        if (report == null)
        {
            report = quick ? root.resolve("bench/target/reliability/reliability-quick.md") :
                root.resolve("perf-results/" + LocalDate.now(ZoneOffset.UTC) + "/reliability.md");
        }
        final Path work = Files.createTempDirectory("portgate-reliability-");
        try
        {
            return runIn(work, root, quick, javaOpts, report, chosen, args);
        }
        finally
        {
            try (var files = Files.walk(work))
            {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    private static int runIn(final Path work, final Path root, final boolean quick, final String javaOpts,
        final Path report, final List<Scenario> chosen, final String[] args) throws Exception
    {
        final SuiteContext context = new SuiteContext(root, work, quick, javaOpts);
        final List<String> rows = new ArrayList<>();
        final List<String> details = new ArrayList<>();
        int requiredFailed = 0;
        int failed = 0;
        final long suiteStart = System.nanoTime();
        final String header = header(root, quick, args);
        for (final Scenario scenario : chosen)
        {
            System.out.println("reliability: " + scenario.name() + " ...");
            final long start = System.nanoTime();
            Outcome outcome;
            String verdict;
            try
            {
                outcome = runBounded(scenario, context);
                verdict = outcome.passed() ? "PASS" : "FAIL";
            }
            catch (final Exception ex)
            {
                outcome = Outcome.of(false, "could not run: " + ex, List.of());
                verdict = "ERROR";
            }
            final double seconds = (System.nanoTime() - start) / 1e9;
            if (!outcome.passed())
            {
                failed++;
                if (scenario.required())
                {
                    requiredFailed++;
                }
            }
            System.out.printf(Locale.ROOT, "reliability: %s %s in %.0f s: %s%n", scenario.name(), verdict, seconds,
                outcome.figure());
            for (final String note : outcome.notes())
            {
                System.out.println("    " + note);
            }
            rows.add(String.format(Locale.ROOT, "| `%s` | %s | **%s** | %s | %.0f s |", scenario.name(),
                scenario.required() ? "yes" : "not yet", verdict, outcome.figure(), seconds));
            details.add("### `" + scenario.name() + "`: " + verdict + "\n\n" + scenario.what() + ".\n\n" +
                (outcome.notes().isEmpty() ? "" : "- " + String.join("\n- ", outcome.notes()) + "\n"));
            // Each scenario writes the report as it goes, so a run cut short still leaves what it measured.
            write(report, header, rows, details, requiredFailed, failed, chosen.size(), suiteStart, false);
        }
        write(report, header, rows, details, requiredFailed, failed, chosen.size(), suiteStart, true);
        System.out.println("reliability: report in " + report);
        return requiredFailed == 0 ? 0 : 1;
    }

    private static Outcome runBounded(final Scenario scenario, final SuiteContext context) throws Exception
    {
        final ExecutorService thread = Executors.newSingleThreadExecutor(r ->
        {
            final Thread t = new Thread(r, "reliability-" + scenario.name());
            t.setDaemon(true);
            return t;
        });
        try
        {
            final Future<Outcome> future = thread.submit(() -> scenario.run(context));
            try
            {
                return future.get(SCENARIO_LIMIT.toSeconds(), TimeUnit.SECONDS);
            }
            catch (final TimeoutException ex)
            {
                future.cancel(true);
                throw new IOException("did not end within " + SCENARIO_LIMIT.toMinutes() + " minutes");
            }
            catch (final java.util.concurrent.ExecutionException ex)
            {
                throw ex.getCause() instanceof Exception e ? e : ex;
            }
        }
        finally
        {
            thread.shutdownNow();
        }
    }

    private static void write(final Path report, final String header, final List<String> rows,
        final List<String> details, final int requiredFailed, final int failed, final int total,
        final long suiteStart, final boolean done) throws IOException
    {
        final StringBuilder sb = new StringBuilder(header);
        sb.append("| scenario | required | verdict | figure | took |\n|---|---|---|---|---|\n");
        for (final String row : rows)
        {
            sb.append(row).append('\n');
        }
        sb.append('\n');
        sb.append(String.format(Locale.ROOT, "%s %d of %d scenarios, %.0f s: %d failed, %d of them required; exit " +
            "status %d.%n%n", done ? "Ran" : "So far (still running):", rows.size(), total,
            (System.nanoTime() - suiteStart) / 1e9, failed, requiredFailed, requiredFailed == 0 ? 0 : 1));
        sb.append("## Scenarios\n\n");
        for (final String d : details)
        {
            sb.append(d).append('\n');
        }
        Files.createDirectories(report.toAbsolutePath().getParent());
        Files.writeString(report, sb.toString(), StandardCharsets.UTF_8);
    }

    private static String header(final Path root, final boolean quick, final String[] args)
    {
        final StringBuilder sb = new StringBuilder();
        sb.append("# Reliability suite").append(quick ? " (quick)" : "").append("\n\n");
        sb.append("Real `./portgate run` processes and real clients on 127.0.0.1, one scenario at a time, each ")
            .append("bounded in time and count (`bench/reliability/run.sh").append(quick ? " --quick" : "")
            .append("`; README, \"Reliability suite\"). A scenario marked *not yet* is one whose fix has not ")
            .append("landed: its FAIL is reported with its figure and does not change the exit status.\n\n");
        sb.append("- date (UTC): ").append(ZonedDateTime.now(ZoneOffset.UTC)
            .format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss"))).append('\n');
        sb.append("- machine: ").append(Runtime.getRuntime().availableProcessors()).append(" CPUs, ")
            .append(firstLine("/proc/cpuinfo", "model name")).append(", ")
            .append(System.getProperty("os.name")).append(' ').append(System.getProperty("os.version"))
            .append(", ").append(memTotal()).append('\n');
        sb.append("- JDK (the suite's; the balancer runs on the JDK ./portgate finds): ")
            .append(System.getProperty("java.vm.name")).append(' ').append(System.getProperty("java.runtime.version"))
            .append('\n');
        sb.append("- commit: ").append(git(root, "rev-parse", "HEAD")).append(dirty(root)).append('\n');
        sb.append("- load average at start: ").append(loadAverage()).append(" (shared machine)\n");
        final List<String> shown = new ArrayList<>();
        for (int i = 0; i < args.length; i++)
        {
            if (args[i].equals("--root"))
            {
                i++; // run.sh's own
            }
            else
            {
                shown.add(args[i]);
            }
        }
        sb.append("- command: `bench/reliability/run.sh").append(shown.isEmpty() ? "" : " ")
            .append(String.join(" ", shown)).append("`\n\n");
        return sb.toString();
    }

    private static String firstLine(final String file, final String prefix)
    {
        try
        {
            for (final String line : Files.readAllLines(Path.of(file)))
            {
                if (line.startsWith(prefix))
                {
                    return line.substring(line.indexOf(':') + 1).strip();
                }
            }
        }
        catch (final IOException ignored)
        {
            // not Linux
        }
        return "unknown CPU";
    }

    private static String memTotal()
    {
        final String kb = firstLine("/proc/meminfo", "MemTotal").replaceAll("[^0-9]", "");
        return kb.isEmpty() ? "" : Long.parseLong(kb) / 1024 / 1024 + " GiB";
    }

    private static String loadAverage()
    {
        try
        {
            final String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        }
        catch (final IOException ex)
        {
            return "unknown";
        }
    }

    private static String git(final Path root, final String... command)
    {
        try
        {
            final List<String> cmd = new ArrayList<>(List.of("git", "-C", root.toString()));
            cmd.addAll(List.of(command));
            final Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return p.waitFor() == 0 ? out : "unknown";
        }
        catch (final IOException | InterruptedException ex)
        {
            return "unknown";
        }
    }

    private static String dirty(final Path root)
    {
        return git(root, "status", "--porcelain", "--", "core", "src", "bench/src").isEmpty() ? "" :
            " (with local changes)";
    }

    private static String value(final String[] args, final int i)
    {
        if (i >= args.length)
        {
            throw new UsageException(args[i - 1] + " needs a value");
        }
        return args[i];
    }

    /** A bad command line. */
    private static final class UsageException extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        UsageException(final String message)
        {
            super(message);
        }
    }
}
