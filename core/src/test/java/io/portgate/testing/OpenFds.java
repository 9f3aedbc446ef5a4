package io.portgate.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Counts this process's open file descriptors, to prove a test left none behind. */
public final class OpenFds
{
    private OpenFds()
    {
    }

    /**
     * Whether the count can be read here.
     *
     * @return true on Linux.
     */
    public static boolean isSupported()
    {
        return Files.isDirectory(Path.of("/proc/self/fd"));
    }

    /**
     * The number of open file descriptors now.
     *
     * @return entries of /proc/self/fd.
     */
    public static long count()
    {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd")))
        {
            return fds.count();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Waits until the count falls to at most {@code expected}, since sockets closed by another thread are released
     * a moment later.
     *
     * @param expected  the count to reach.
     * @param timeoutMs how long to wait.
     * @return the last count read.
     */
    public static long awaitAtMost(final long expected, final long timeoutMs)
    {
        final long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        long now = count();
        while (now > expected && System.nanoTime() - deadline < 0)
        {
            try
            {
                Thread.sleep(20);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                break;
            }
            now = count();
        }
        return now;
    }
}
