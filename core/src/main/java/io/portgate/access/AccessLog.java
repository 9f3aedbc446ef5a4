package io.portgate.access;

import org.agrona.ErrorHandler;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.SleepingMillisIdleStrategy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.WritableByteChannel;
import java.util.Arrays;
import java.util.List;

/**
 * The balancer's access log: one {@link AccessLogQueue} per worker, made at start whether or not a log is
 * configured (so a reload can turn it on), and the {@link AccessLogWriter} on a thread of its own, started the first
 * time a configuration names a log. Control-plane methods ({@link #apply}, {@link #reopen}, {@link #close}) are
 * called by one thread at a time; {@link #queue} by the control plane when it builds a worker's runtimes.
 *
 * <p>The writer thread sleeps a millisecond when there is nothing to write: a record waits at most about that long,
 * and an idle log costs no CPU to speak of.
 */
public final class AccessLog implements AutoCloseable
{
    /** Records one worker may have waiting for the writer; past it they are dropped and counted. */
    public static final int QUEUE_CAPACITY = 8192;
    /** Added to a UDP listener's index in a record, so one name lookup serves both kinds of listener. */
    public static final int UDP_LISTENER = 1 << 20;

    private final AccessLogQueue[] queues;
    private final ErrorHandler errors;
    private final WritableByteChannel standardOutput;
    private AccessLogWriter writer;
    private AgentRunner runner;
    private volatile AccessLogSettings settings;

    /**
     * The queues of every worker; no thread yet.
     *
     * @param workers        how many workers produce records.
     * @param errors         where write failures go.
     * @param standardOutput the channel {@code path: stdout} writes to.
     */
    public AccessLog(final int workers, final ErrorHandler errors, final WritableByteChannel standardOutput)
    {
        this.queues = new AccessLogQueue[workers];
        for (int w = 0; w < workers; w++)
        {
            queues[w] = new AccessLogQueue(QUEUE_CAPACITY);
        }
        this.errors = errors;
        this.standardOutput = standardOutput;
    }

    /**
     * Takes a configuration's settings: starts the writer the first time there are any, switches its destination
     * or format when they changed (the writer opens the new file on its next duty cycle), and stops records when
     * there are none.
     *
     * @param next  the settings now, or null for no access log.
     * @param names how listeners and targets are named.
     * @throws UncheckedIOException when the first log file cannot be opened; nothing changed.
     */
    public synchronized void apply(final AccessLogSettings next, final AccessLogNames names)
    {
        if (next != null && writer == null)
        {
            try
            {
                writer = new AccessLogWriter(Arrays.asList(queues), next, names, errors, standardOutput);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("access-log: cannot open " + (next.isStdout() ? "standard output" :
                    next.path()) + ": " + ex.getMessage(), ex);
            }
            runner = new AgentRunner(new SleepingMillisIdleStrategy(1), errors, null, writer);
            AgentRunner.startOnThread(runner);
        }
        else if (writer != null)
        {
            writer.names(names);
            if (next != null && !next.equals(writer.settings()))
            {
                writer.reconfigure(next);
            }
        }
        settings = next;
    }

    /**
     * The queue a worker's runtimes put records on.
     *
     * @param worker the worker's index.
     * @return its queue, or null when there is no access log now.
     */
    public AccessLogQueue queue(final int worker)
    {
        return settings == null ? null : queues[worker];
    }

    /** @return the settings in force, or null. */
    public AccessLogSettings settings()
    {
        return settings;
    }

    /** Makes the writer open its file again (log rotation, SIGUSR1). Any thread. */
    public void reopen()
    {
        final AccessLogWriter current;
        synchronized (this)
        {
            current = writer;
        }
        if (current != null)
        {
            current.requestReopen();
        }
    }

    /** @return records dropped because the writer was behind, over every worker. */
    public long dropped()
    {
        long dropped = 0;
        for (final AccessLogQueue queue : queues)
        {
            dropped += queue.dropped();
        }
        return dropped;
    }

    /** @return the writer, or null before a log was configured; for tests and stats. */
    public synchronized AccessLogWriter writer()
    {
        return writer;
    }

    /** @return the queues, by worker. */
    public List<AccessLogQueue> queues()
    {
        return List.of(queues);
    }

    /** Writes what is queued and stops the writer thread (after the workers stopped). */
    @Override
    public synchronized void close()
    {
        if (runner != null)
        {
            runner.close();
            runner = null;
        }
    }
}
