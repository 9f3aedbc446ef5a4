package io.portgate.bench.reliability;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A target in a process of its own, {@code ./portgate bench server --echo tcp} or the like: it holds its own file
 * descriptors (so the suite's limit is not shared with it) and it can be killed outright, as a crashed target is.
 */
final class TargetProcess implements AutoCloseable
{
    private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");

    private final Process process;
    private final int port;

    private TargetProcess(final Process process, final int port)
    {
        this.process = process;
        this.port = port;
    }

    /**
     * Starts a target on 127.0.0.1.
     *
     * @param root the repository root.
     * @param role {@code --echo} or {@code --sink}.
     * @param protocol {@code tcp} or {@code udp}.
     * @param port the port, or 0 for a free one.
     * @return the running target once it listens.
     */
    static TargetProcess start(final Path root, final String role, final String protocol, final int port)
        throws IOException
    {
        final ProcessBuilder pb = new ProcessBuilder(root.resolve("portgate").toString(), "bench", "server", role,
            protocol, "--bind", "127.0.0.1:" + port, "--quiet").directory(root.toFile())
            .redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().remove("PORTGATE_JAVA_OPTS");
        pb.environment().put("PORTGATE_SKIP_BUILD", "1");
        final Process process = pb.start();
        final BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
            StandardCharsets.UTF_8));
        final CompletableFuture<Integer> bound = CompletableFuture.supplyAsync(() ->
        {
            try
            {
                for (String line; (line = out.readLine()) != null; )
                {
                    final Matcher m = LISTENING.matcher(line);
                    if (m.find())
                    {
                        return Integer.parseInt(m.group(1));
                    }
                }
            }
            catch (final IOException ignored)
            {
                // ended
            }
            return -1;
        });
        try
        {
            final int actual = bound.get(60, TimeUnit.SECONDS);
            if (actual > 0)
            {
                // Keep reading so a full pipe never stalls it.
                Thread.ofPlatform().daemon().start(() ->
                {
                    try
                    {
                        out.transferTo(java.io.Writer.nullWriter());
                    }
                    catch (final IOException ignored)
                    {
                        // ended
                    }
                });
                return new TargetProcess(process, actual);
            }
        }
        catch (final Exception ex)
        {
            // below
        }
        process.destroyForcibly();
        throw new IOException("./portgate bench server " + role + " " + protocol + " did not start");
    }

    /** @return the port it listens on. */
    int port()
    {
        return port;
    }

    /** @return its pid. */
    long pid()
    {
        return process.pid();
    }

    /** Kills it with SIGKILL, as a crash would end it, and waits for it to be gone. */
    void kill() throws InterruptedException
    {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException
    {
        if (process.isAlive())
        {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS))
            {
                kill();
            }
        }
    }
}
