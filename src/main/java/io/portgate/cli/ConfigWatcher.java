package io.portgate.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * Asks for a reload when a configuration file's content changes, for {@code run --watch}.
 * <p>
 * It watches the file's directory rather than the file: editors that save by writing a new file and renaming it
 * over the old one replace the inode a file watch would follow. Events are gathered until none has come for
 * {@link #QUIET_MS}, since one save is often several events (truncate, write, rename), and then the content is
 * compared with what was last seen, so that a save which changes nothing, or another file of the directory, does
 * not reload. When the file is a symbolic link (a Kubernetes ConfigMap swaps a link in the same directory), any
 * event of the directory counts.
 */
final class ConfigWatcher implements AutoCloseable
{
    /** How long the directory must stay quiet after a change before the file is read. */
    static final long QUIET_MS = 200;
    /** A file rewritten without pause is still read this long after its first change. */
    private static final long MAX_WAIT_MS = 2_000;

    private final Path file;
    private final Path directory;
    private final WatchService service;
    private final Runnable onChange;
    private final PrintWriter out;
    private final PrintWriter err;
    private final Thread thread;
    /** The content last seen, or null when the file could not be read; touched by the watch thread only. */
    private byte[] seen;

    private ConfigWatcher(final Path file, final WatchService service, final Runnable onChange,
        final PrintWriter out, final PrintWriter err)
    {
        this.out = out;
        this.file = file;
        this.directory = file.getParent();
        this.service = service;
        this.onChange = onChange;
        this.err = err;
        this.seen = read(file);
        this.thread = new Thread(this::run, "portgate-watch");
        thread.setDaemon(true);
    }

    /**
     * Starts watching. The content is taken as seen now, so a change made from this moment on is reloaded even if
     * it lands before the balancer has started.
     *
     * @param file     the configuration file.
     * @param onChange what to do when its content changed; called on the watch thread.
     * @param out      where to say that a save changed nothing.
     * @param err      where to say that watching stopped.
     * @return the running watcher.
     * @throws IOException when the directory cannot be watched.
     */
    static ConfigWatcher start(final Path file, final Runnable onChange, final PrintWriter out, final PrintWriter err)
        throws IOException
    {
        final Path absolute = file.toAbsolutePath().normalize();
        final WatchService service = absolute.getFileSystem().newWatchService();
        try
        {
            absolute.getParent().register(service, StandardWatchEventKinds.ENTRY_CREATE,
                StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_DELETE);
        }
        catch (final IOException | RuntimeException ex)
        {
            service.close();
            throw ex;
        }
        final ConfigWatcher watcher = new ConfigWatcher(absolute, service, onChange, out, err);
        watcher.thread.start();
        return watcher;
    }

    @Override
    public void close() throws IOException
    {
        service.close();
    }

    private void run()
    {
        try
        {
            boolean watching = true;
            while (watching)
            {
                final WatchKey key = service.take();
                final boolean relevant = relevant(key);
                watching = key.reset();
                if (relevant)
                {
                    watching &= awaitQuiet();
                    final byte[] now = read(file);
                    if (!Arrays.equals(now, seen))
                    {
                        seen = now;
                        onChange.run();
                    }
                    else
                    {
                        out.println("portgate: watch: " + file + " was saved without a change: nothing to reload");
                        out.flush();
                    }
                }
            }
            err.println("portgate: watch: " + directory + " can no longer be watched; SIGHUP still reloads " +
                file);
            err.flush();
        }
        catch (final InterruptedException | ClosedWatchServiceException closed)
        {
            // closed: the balancer is stopping
        }
    }

    /**
     * Waits until no relevant event has come for {@link #QUIET_MS}, or {@link #MAX_WAIT_MS} in all.
     *
     * @return false when the directory can no longer be watched.
     */
    private boolean awaitQuiet() throws InterruptedException
    {
        final long start = System.nanoTime();
        final long latest = start + TimeUnit.MILLISECONDS.toNanos(MAX_WAIT_MS);
        long quietAt = start + TimeUnit.MILLISECONDS.toNanos(QUIET_MS);
        while (true)
        {
            final long now = System.nanoTime();
            final long until = quietAt - latest < 0 ? quietAt : latest;
            if (until - now <= 0)
            {
                return true;
            }
            final WatchKey key = service.poll(until - now, TimeUnit.NANOSECONDS);
            if (key == null)
            {
                return true;
            }
            final boolean relevant = relevant(key);
            if (!key.reset())
            {
                return false;
            }
            if (relevant)
            {
                quietAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(QUIET_MS);
            }
        }
    }

    private boolean relevant(final WatchKey key)
    {
        final boolean link = Files.isSymbolicLink(file);
        boolean relevant = false;
        for (final WatchEvent<?> event : key.pollEvents())
        {
            relevant |= link || event.kind() == StandardWatchEventKinds.OVERFLOW ||
                file.getFileName().equals(event.context());
        }
        return relevant;
    }

    private static byte[] read(final Path file)
    {
        try
        {
            return Files.readAllBytes(file);
        }
        catch (final IOException ex)
        {
            // Gone or unreadable for now (an editor between its rename steps): a reload, if any, says why.
            return null;
        }
    }
}
