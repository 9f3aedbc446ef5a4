package io.portgate.cli;

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
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * The {@code ./portgate} launcher run as its own process, the way a user runs it: through the script, with the
 * packaged jar, reading its exit status, stdout and stderr separately. For the {@code *IT} tests, which Maven runs
 * after {@code package}.
 *
 * <p>The launcher builds the project when a source is newer than the jar; inside a Maven build that would be a build
 * within the build, so {@link #run} and {@link #start} first make sure the jar is fresh and fail with a clear message
 * when it is not.
 */
final class PortgateProcess implements AutoCloseable
{
    /** The repository's root: Maven runs the src module's tests in {@code src/}. */
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final Path LAUNCHER = ROOT.resolve("portgate");
    static final Path JAR = ROOT.resolve("src/target/portgate.jar");

    /** A finished run. */
    record Result(int status, String out, String err)
    {
        @Override
        public String toString()
        {
            return "exit " + status + "\n--- stdout ---\n" + out + "--- stderr ---\n" + err;
        }
    }

    private final Process process;
    private final Lines out;
    private final Lines err;

    private PortgateProcess(final Process process)
    {
        this.process = process;
        this.out = Lines.collect(process.getInputStream(), "stdout");
        this.err = Lines.collect(process.getErrorStream(), "stderr");
    }

    /**
     * Runs {@code ./portgate ARGS} to its end.
     *
     * @param timeout how long it may take; then it is killed and the test fails.
     * @param env     variables added to the environment.
     * @param args    the arguments.
     * @return exit status, stdout and stderr.
     */
    static Result run(final Duration timeout, final Map<String, String> env, final String... args)
        throws IOException, InterruptedException
    {
        try (PortgateProcess p = start(env, args))
        {
            return p.await(timeout);
        }
    }

    static Result run(final String... args) throws IOException, InterruptedException
    {
        return run(Duration.ofSeconds(60), Map.of(), args);
    }

    /**
     * Starts {@code ./portgate ARGS} (for example {@code run}) and returns while it runs.
     *
     * @param env  variables added to the environment.
     * @param args the arguments.
     * @return the running process.
     */
    static PortgateProcess start(final Map<String, String> env, final String... args) throws IOException
    {
        return start(List.of(), env, args);
    }

    /**
     * Starts {@code PREFIX ./portgate ARGS}, for example under {@code setpriv} as another user.
     *
     * @param prefix the command put in front of the launcher.
     * @param env    variables added to the environment.
     * @param args   the arguments.
     * @return the running process.
     */
    static PortgateProcess start(final List<String> prefix, final Map<String, String> env, final String... args)
        throws IOException
    {
        ensureJarIsFresh();
        final List<String> command = new ArrayList<>(prefix);
        command.add(LAUNCHER.toString());
        command.addAll(List.of(args));
        final ProcessBuilder pb = new ProcessBuilder(command).directory(ROOT.toFile());
        pb.environment().remove("PORTGATE_JAVA_OPTS");
        pb.environment().putAll(env);
        return new PortgateProcess(pb.start());
    }

    /**
     * Starts another portgate executable (the runtime image's {@code bin/portgate}) the way an operator on a machine
     * without a JDK would: {@code env -i PATH=/usr/bin:/bin EXECUTABLE ARGS}, so no JAVA_HOME and no JDK on the PATH.
     *
     * @param executable the executable.
     * @param env        the only variables besides PATH.
     * @param args       the arguments.
     * @return the running process; env execs the executable, so its pid is portgate's.
     */
    static PortgateProcess startWithoutJdk(final Path executable, final Map<String, String> env, final String... args)
        throws IOException
    {
        final List<String> command = new ArrayList<>(List.of("env", "-i", "PATH=/usr/bin:/bin"));
        env.forEach((name, value) -> command.add(name + "=" + value));
        command.add(executable.toString());
        command.addAll(List.of(args));
        return new PortgateProcess(new ProcessBuilder(command).directory(ROOT.toFile()).start());
    }

    /** As {@link #startWithoutJdk}, to its end within a minute. */
    static Result runWithoutJdk(final Path executable, final String... args) throws IOException, InterruptedException
    {
        try (PortgateProcess p = startWithoutJdk(executable, Map.of(), args))
        {
            return p.await(Duration.ofSeconds(60));
        }
    }

    private static void ensureJarIsFresh() throws IOException
    {
        if (!Files.isRegularFile(JAR))
        {
            throw new IllegalStateException(JAR + " is missing: these tests run after `package` (./mvnw -B verify)");
        }
        final long jarTime = Files.getLastModifiedTime(JAR).toMillis();
        for (final String module : List.of("core", "bench", "src"))
        {
            try (Stream<Path> files = Files.walk(ROOT.resolve(module)))
            {
                final Path newer = files
                    .filter(f -> !f.toString().contains("/target/"))
                    .filter(f -> f.toString().endsWith(".java") || f.endsWith("pom.xml"))
                    .filter(f -> lastModified(f) > jarTime)
                    .findFirst().orElse(null);
                if (newer != null)
                {
                    throw new IllegalStateException(newer + " is newer than " + JAR + ", so ./portgate would " +
                        "rebuild inside this build; run ./mvnw -B verify (or package) again");
                }
            }
        }
    }

    private static long lastModified(final Path f)
    {
        try
        {
            return Files.getLastModifiedTime(f).toMillis();
        }
        catch (final IOException ex)
        {
            return 0;
        }
    }

    /** The process's pid. */
    long pid()
    {
        return process.pid();
    }

    Process process()
    {
        return process;
    }

    /**
     * Waits for a line on stdout that matches.
     *
     * @param match   the test.
     * @param timeout how long to wait.
     * @return the line.
     * @throws TimeoutException when none came, with everything printed so far.
     */
    String awaitOut(final Predicate<String> match, final Duration timeout) throws InterruptedException,
        TimeoutException
    {
        return out.await(match, timeout, this);
    }

    /** As {@link #awaitOut} for stderr. */
    String awaitErr(final Predicate<String> match, final Duration timeout) throws InterruptedException,
        TimeoutException
    {
        return err.await(match, timeout, this);
    }

    String out()
    {
        return out.text();
    }

    String err()
    {
        return err.text();
    }

    /**
     * Sends a signal by name ({@code TERM}, {@code INT}, {@code HUP}) with kill(1).
     *
     * @param signal the signal's name.
     */
    void signal(final String signal) throws IOException, InterruptedException
    {
        // The launcher execs java, so the launcher's pid is the JVM's.
        final Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
            .redirectErrorStream(true).start();
        final String said = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (kill.waitFor() != 0)
        {
            throw new IOException("kill -" + signal + " " + process.pid() + " failed: " + said);
        }
    }

    /**
     * Waits for the process to end.
     *
     * @param timeout how long to wait; then it is killed and an {@link AssertionError} says what it printed.
     * @return exit status, stdout and stderr.
     */
    Result await(final Duration timeout) throws InterruptedException
    {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS))
        {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("./portgate did not end within " + timeout + "\n--- stdout ---\n" + out.text() +
                "--- stderr ---\n" + err.text());
        }
        out.join();
        err.join();
        return new Result(process.exitValue(), out.text(), err.text());
    }

    @Override
    public void close() throws InterruptedException
    {
        if (process.isAlive())
        {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Everything a stream printed, line by line, read on a thread of its own. */
    private static final class Lines
    {
        private final List<String> lines = new ArrayList<>();
        private final Thread reader;

        private Lines(final InputStream in, final String name)
        {
            reader = Thread.ofPlatform().daemon().name("portgate-" + name).start(() ->
            {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)))
                {
                    for (String line; (line = r.readLine()) != null; )
                    {
                        synchronized (this)
                        {
                            lines.add(line);
                            notifyAll();
                        }
                    }
                }
                catch (final IOException ignored)
                {
                    // the process was killed
                }
            });
        }

        static Lines collect(final InputStream in, final String name)
        {
            return new Lines(in, name);
        }

        synchronized String text()
        {
            final StringBuilder sb = new StringBuilder();
            for (final String line : lines)
            {
                sb.append(line).append('\n');
            }
            return sb.toString();
        }

        synchronized String await(final Predicate<String> match, final Duration timeout, final PortgateProcess p)
            throws InterruptedException, TimeoutException
        {
            final long deadline = System.nanoTime() + timeout.toNanos();
            int seen = 0;
            while (true)
            {
                for (; seen < lines.size(); seen++)
                {
                    if (match.test(lines.get(seen)))
                    {
                        return lines.get(seen);
                    }
                }
                final long leftMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (leftMs <= 0 || (!reader.isAlive() && seen == lines.size()))
                {
                    throw new TimeoutException("no such line within " + timeout + (p.process.isAlive() ? "" :
                        " (the process ended with " + p.process.exitValue() + ")") + "\n--- stdout ---\n" +
                        p.out.text() + "--- stderr ---\n" + p.err.text());
                }
                wait(Math.min(leftMs, 100));
            }
        }

        void join() throws InterruptedException
        {
            reader.join(10_000);
        }
    }
}
