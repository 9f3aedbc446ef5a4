package io.portgate.access;

import org.agrona.ErrorHandler;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.concurrent.Agent;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The access log's writer: an Agrona agent, run on a thread of its own (an {@code AgentRunner} with a sleeping idle
 * strategy suits it) or stepped by hand in tests, that drains every worker's {@link AccessLogQueue}, formats each
 * record as a line and appends the lines to a file or to standard output.
 *
 * <p>Each duty cycle takes up to {@link #BATCH} records from each queue in turn (so a busy worker cannot starve the
 * others' records), formats them into one off-heap buffer and writes it with as few {@code write} calls as it
 * takes; a file is opened with {@code O_APPEND}. A failed write is passed to the error handler and counted, and its
 * lines are lost; the writer carries on.
 *
 * <p>Log rotation: {@link #requestReopen()}, safe from any thread (the SIGUSR1 handler calls it), makes the next
 * duty cycle open the path again, so after logrotate has renamed the file a new one is created, and close the old
 * one; lines already formatted go to the old file first. If the path cannot be opened the writer keeps the old file
 * and reports the error. {@link #reconfigure} (a reload) switches path or format the same way.
 *
 * <p>Threads: the constructor and {@link #doWork()}, {@link #onClose()} on the writer thread; {@link #requestReopen},
 * {@link #reconfigure}, {@link #names} and the counters from any thread.
 */
public final class AccessLogWriter implements Agent
{
    /** The most records taken from one queue in one duty cycle. */
    public static final int BATCH = 256;
    /** Formatted bytes that make the writer write before the duty cycle ends. */
    static final int FLUSH_BYTES = 64 * 1024;

    private final AccessLogQueue[] queues;
    private final ErrorHandler errors;
    private final WritableByteChannel standardOutput;
    private final ExpandableDirectByteBuffer lines = new ExpandableDirectByteBuffer(FLUSH_BYTES + 4096);
    private final AtomicBoolean reopenRequested = new AtomicBoolean();
    private final AtomicReference<AccessLogSettings> pendingSettings = new AtomicReference<>();
    private volatile AccessLogNames names;
    private AccessLogSettings settings;
    private WritableByteChannel channel;
    private int pending;

    private volatile long linesWritten;
    private volatile long writeErrors;
    private volatile long reopens;

    /**
     * A writer, with its destination opened now so that a path that cannot be written fails at once.
     *
     * @param queues         the workers' queues.
     * @param settings       where to write and in which format.
     * @param names          names listeners and targets.
     * @param errors         told of write and open failures.
     * @param standardOutput the channel for {@link AccessLogSettings#stdout}: {@link #standardOutput()} in
     *                       production, anything in tests; never closed by the writer.
     * @throws IOException when the file cannot be opened for appending.
     */
    public AccessLogWriter(final List<AccessLogQueue> queues, final AccessLogSettings settings,
        final AccessLogNames names, final ErrorHandler errors, final WritableByteChannel standardOutput)
        throws IOException
    {
        this.queues = queues.toArray(new AccessLogQueue[0]);
        this.errors = errors;
        this.standardOutput = standardOutput;
        this.names = names;
        this.settings = settings;
        this.channel = open(settings);
    }

    /**
     * The process's standard output as a channel that writes straight to file descriptor 1, beside
     * {@code System.out}'s buffer, one {@code write} per batch of whole lines.
     *
     * @return the channel.
     */
    public static WritableByteChannel standardOutput()
    {
        @SuppressWarnings("resource")
        final FileChannel out = new FileOutputStream(FileDescriptor.out).getChannel();
        return out;
    }

    @Override
    public String roleName()
    {
        return "access-log";
    }

    @Override
    public int doWork()
    {
        applyRequests();
        int work = 0;
        int unflushed = 0;
        final AccessLogNames currentNames = names;
        final AccessLogFormat format = settings.format();
        for (final AccessLogQueue queue : queues)
        {
            for (int i = 0; i < BATCH; i++)
            {
                final AccessRecord record = queue.poll();
                if (record == null)
                {
                    break;
                }
                pending = format.write(record, currentNames, lines, pending);
                queue.recycle(record);
                work++;
                unflushed++;
                if (pending >= FLUSH_BYTES)
                {
                    flush(unflushed);
                    unflushed = 0;
                }
            }
        }
        if (pending > 0)
        {
            flush(unflushed);
        }
        return work;
    }

    /** Writes every record still queued, then closes the file (not standard output). */
    @Override
    public void onClose()
    {
        while (doWork() > 0)
        {
            // Drains queues longer than one batch.
        }
        closeQuietly(channel);
    }

    /** Makes the next duty cycle open the path again (log rotation). Any thread. */
    public void requestReopen()
    {
        reopenRequested.set(true);
    }

    /**
     * Makes the next duty cycle switch to new settings (a reload). Any thread.
     *
     * @param newSettings the destination and format now.
     */
    public void reconfigure(final AccessLogSettings newSettings)
    {
        pendingSettings.set(newSettings);
    }

    /**
     * Replaces the name lookup (a reload). Any thread.
     *
     * @param newNames the lookup now.
     */
    public void names(final AccessLogNames newNames)
    {
        names = newNames;
    }

    /** @return lines written. */
    public long linesWritten()
    {
        return linesWritten;
    }

    /** @return writes and opens that failed. */
    public long writeErrors()
    {
        return writeErrors;
    }

    /** @return times the destination was opened again. */
    public long reopens()
    {
        return reopens;
    }

    /** @return the settings in force. */
    public AccessLogSettings settings()
    {
        return settings;
    }

    private void applyRequests()
    {
        final AccessLogSettings next = pendingSettings.getAndSet(null);
        final boolean reopen = reopenRequested.getAndSet(false);
        if (next == null && !reopen)
        {
            return;
        }
        final AccessLogSettings target = next != null ? next : settings;
        if (next == null && target.isStdout())
        {
            return;
        }
        try
        {
            final WritableByteChannel opened = open(target);
            final WritableByteChannel old = channel;
            channel = opened;
            settings = target;
            reopens = reopens + 1;
            closeQuietly(old);
        }
        catch (final IOException ex)
        {
            writeErrors = writeErrors + 1;
            errors.onError(new IOException("access log: cannot open " + target.path() + ", still writing to " +
                (settings.isStdout() ? "standard output" : settings.path()), ex));
        }
    }

    private WritableByteChannel open(final AccessLogSettings target) throws IOException
    {
        if (target.isStdout())
        {
            return standardOutput;
        }
        return FileChannel.open(target.path(), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.APPEND);
    }

    private void flush(final int lineCount)
    {
        final ByteBuffer bytes = lines.byteBuffer();
        bytes.limit(pending).position(0);
        try
        {
            while (bytes.hasRemaining())
            {
                channel.write(bytes);
            }
            linesWritten = linesWritten + lineCount;
        }
        catch (final IOException ex)
        {
            writeErrors = writeErrors + 1;
            errors.onError(ex);
        }
        finally
        {
            bytes.clear();
            pending = 0;
        }
    }

    private void closeQuietly(final WritableByteChannel toClose)
    {
        if (toClose == null || toClose == standardOutput)
        {
            return;
        }
        try
        {
            toClose.close();
        }
        catch (final IOException ex)
        {
            errors.onError(ex);
        }
    }
}
