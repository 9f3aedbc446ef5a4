package io.portgate.metrics;

import org.agrona.IoUtil;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.nio.file.Path;

/**
 * The counters of one running balancer, in an Agrona {@link CountersManager} over a memory-mapped file (or over
 * direct memory when no file is wanted), and its unexpected errors in an Agrona
 * {@link org.agrona.concurrent.errors.DistinctErrorLog} beside them ({@link ErrorLog}). The file starts with a small
 * header (magic, version, owner pid, start time, heartbeat, the lengths of the regions) so that {@link MetricsReader}
 * in another process can tell a live balancer from a stale file; then come the counters' metadata, their values, and
 * the error log.
 *
 * <p>Counters are allocated by the control plane at start and on reloads; each is then written by one forwarder
 * only.
 */
public final class MetricsFile implements AutoCloseable
{
    static final long MAGIC = 0x5047_4d45_5452_4331L;
    static final int VERSION = 2;
    static final int MAGIC_OFFSET = 0;
    static final int VERSION_OFFSET = 8;
    static final int META_LENGTH_OFFSET = 12;
    static final int VALUES_LENGTH_OFFSET = 16;
    static final int PID_OFFSET = 24;
    static final int START_OFFSET = 32;
    static final int HEARTBEAT_OFFSET = 40;
    static final int ERROR_LOG_LENGTH_OFFSET = 48;
    static final int HEADER_LENGTH = 128;

    /** Where the worker that owns a counter is written in its key. */
    static final int KEY_WORKER_OFFSET = 0;

    private final Path file;
    private final MappedByteBuffer mapped;
    /** Holds the lock on the metrics file's lock file while this balancer runs; null in memory. */
    private final FileChannel lock;
    private final AtomicBuffer header;
    private final CountersManager counters;
    private final AtomicBuffer values;
    private final AtomicBuffer errorLog;
    private final java.util.Map<String, Shared> shared = new java.util.HashMap<>();
    private final org.agrona.collections.Int2ObjectHashMap<Shared> byId = new org.agrona.collections.Int2ObjectHashMap<>();

    private MetricsFile(final Path file, final MappedByteBuffer mapped, final ByteBuffer whole, final int maxCounters,
        final int errorLogBytes, final FileChannel lock)
    {
        this.file = file;
        this.mapped = mapped;
        this.lock = lock;
        final int metaLength = maxCounters * CountersReader.METADATA_LENGTH;
        final int valuesLength = maxCounters * CountersReader.COUNTER_LENGTH;
        header = new UnsafeBuffer(whole, 0, HEADER_LENGTH);
        final UnsafeBuffer meta = new UnsafeBuffer(whole, HEADER_LENGTH, metaLength);
        values = new UnsafeBuffer(whole, HEADER_LENGTH + metaLength, valuesLength);
        errorLog = new UnsafeBuffer(whole, HEADER_LENGTH + metaLength + valuesLength, errorLogBytes);
        counters = new CountersManager(meta, values, StandardCharsets.US_ASCII);
        header.putInt(VERSION_OFFSET, VERSION);
        header.putInt(META_LENGTH_OFFSET, metaLength);
        header.putInt(VALUES_LENGTH_OFFSET, valuesLength);
        header.putInt(ERROR_LOG_LENGTH_OFFSET, errorLogBytes);
        header.putLong(PID_OFFSET, ProcessHandle.current().pid());
        header.putLong(START_OFFSET, System.currentTimeMillis());
        header.putLongVolatile(HEARTBEAT_OFFSET, System.currentTimeMillis());
        // The magic goes last, released: a reader that sees it sees a complete header.
        header.putLongRelease(MAGIC_OFFSET, MAGIC);
    }

    /**
     * Creates the file, replacing a stale one; refuses one that a live process still owns. While the metrics live,
     * an exclusive lock on a lock file beside it ({@code FILE.lock}, left in place) keeps a second balancer from
     * taking the same file, in another process or this one.
     *
     * @param file          the file, e.g. under /dev/shm.
     * @param maxCounters   how many counters it can hold.
     * @param errorLogBytes bytes of its error log, a multiple of 8.
     * @return the metrics.
     * @throws IllegalStateException when another live process, or another balancer in this one, owns the file.
     */
    public static MetricsFile create(final Path file, final int maxCounters, final int errorLogBytes)
    {
        final long length = totalLength(maxCounters, errorLogBytes);
        try
        {
            if (file.getParent() != null)
            {
                Files.createDirectories(file.getParent());
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create metrics file " + file, ex);
        }
        final FileChannel lock = lock(file);
        try
        {
            refuseIfOwnedByLiveProcess(file);
            Files.deleteIfExists(file);
            final MappedByteBuffer mapped = IoUtil.mapNewFile(file.toFile(), length, true);
            return new MetricsFile(file, mapped, mapped, maxCounters, errorLogBytes, lock);
        }
        catch (final IOException | RuntimeException ex)
        {
            closeQuietly(lock);
            if (ex instanceof IOException io)
            {
                throw new UncheckedIOException("cannot create metrics file " + file, io);
            }
            throw (RuntimeException)ex;
        }
    }

    /**
     * Creates the file with a small error log (see {@link #create(Path, int, int)}).
     *
     * @param file        the file.
     * @param maxCounters how many counters it can hold.
     * @return the metrics.
     */
    public static MetricsFile create(final Path file, final int maxCounters)
    {
        return create(file, maxCounters, 64 * 1024);
    }

    /**
     * The lock file of a metrics file.
     *
     * @param file the metrics file.
     * @return {@code FILE.lock} beside it.
     */
    public static Path lockFileOf(final Path file)
    {
        return file.resolveSibling(file.getFileName() + ".lock");
    }

    /**
     * Takes the lock of a metrics file, without waiting. The lock file is never deleted: a balancer that deleted it on
     * stop could let the next one lock a new file while a third still held the old one.
     */
    private static FileChannel lock(final Path file)
    {
        final FileChannel channel;
        try
        {
            channel = FileChannel.open(lockFileOf(file), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot lock metrics file " + file + " (" + lockFileOf(file) + ")", ex);
        }
        FileLock held;
        try
        {
            held = channel.tryLock();
        }
        catch (final OverlappingFileLockException ex)
        {
            held = null;
        }
        catch (final IOException ex)
        {
            closeQuietly(channel);
            throw new UncheckedIOException("cannot lock metrics file " + file + " (" + lockFileOf(file) + ")", ex);
        }
        if (held == null)
        {
            closeQuietly(channel);
            throw new IllegalStateException("metrics file " + file + " is in use by another running balancer" +
                ownerOf(file) + "; stop it, or give this balancer its own metrics-file");
        }
        return channel;
    }

    private static String ownerOf(final Path file)
    {
        try (MetricsReader existing = MetricsReader.open(file))
        {
            final long pid = existing.pid();
            return pid == ProcessHandle.current().pid() ? " in this process" : " (pid " + pid + ")";
        }
        catch (final RuntimeException ex)
        {
            return "";
        }
    }

    private static void closeQuietly(final FileChannel channel)
    {
        try
        {
            channel.close();
        }
        catch (final IOException ignored)
        {
            // Releasing a lock on a failed start: the start's own error is what matters.
        }
    }

    /**
     * Metrics in direct memory only, for an embedded balancer that does not want a file.
     *
     * @param maxCounters   how many counters it can hold.
     * @param errorLogBytes bytes of its error log, a multiple of 8.
     * @return the metrics.
     */
    public static MetricsFile inMemory(final int maxCounters, final int errorLogBytes)
    {
        return new MetricsFile(null, null, ByteBuffer.allocateDirect((int)totalLength(maxCounters, errorLogBytes)),
            maxCounters, errorLogBytes, null);
    }

    /**
     * Metrics in direct memory only, with a small error log.
     *
     * @param maxCounters how many counters it can hold.
     * @return the metrics.
     */
    public static MetricsFile inMemory(final int maxCounters)
    {
        return inMemory(maxCounters, 64 * 1024);
    }

    static long totalLength(final int maxCounters, final int errorLogBytes)
    {
        return HEADER_LENGTH + (long)maxCounters * (CountersReader.METADATA_LENGTH + CountersReader.COUNTER_LENGTH) +
            errorLogBytes;
    }

    private static void refuseIfOwnedByLiveProcess(final Path file)
    {
        if (!Files.exists(file))
        {
            return;
        }
        try (MetricsReader existing = MetricsReader.open(file))
        {
            final long pid = existing.pid();
            if (pid != ProcessHandle.current().pid() && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
            {
                throw new IllegalStateException("metrics file " + file + " belongs to a running process (pid " + pid +
                    "); stop it, or give this balancer its own metrics-file");
            }
        }
        catch (final IllegalArgumentException notOurs)
        {
            throw new IllegalStateException("metrics file " + file + " exists and is not a portgate metrics file; " +
                "remove it or choose another metrics-file");
        }
    }

    /**
     * The counter of a metric, worker and labels: allocated on first request, shared afterwards. Each request takes a
     * reference that {@link #release} gives back; the counter is freed when the last one is given back. So a reload
     * that keeps a listener or target keeps its counters and their values. Control plane only.
     *
     * @param metric what it counts.
     * @param worker the forwarder that will write it.
     * @param labels its labels, see {@link Labels#of}.
     * @return the counter.
     * @throws IllegalStateException when the file is full.
     */
    public AtomicCounter counter(final Metric metric, final int worker, final String labels)
    {
        synchronized (shared)
        {
            final String key = metric.typeId() + "/" + worker + "/" + labels;
            final Shared existing = shared.get(key);
            if (existing != null)
            {
                existing.references++;
                return existing.counter;
            }
            if (counters.available() == 0)
            {
                throw new IllegalStateException("metrics file is full (" + counters.capacity() + " counters); it is " +
                    "sized at start for the configuration then, so a reload adding this much needs a restart");
            }
            final AtomicCounter counter = counters.newCounter(labels, metric.typeId(),
                buffer -> buffer.putInt(KEY_WORKER_OFFSET, worker));
            // A freed counter's id is reused: start from zero, not from the value it held before.
            counter.set(0);
            shared.put(key, new Shared(key, counter));
            byId.put(counter.id(), shared.get(key));
            return counter;
        }
    }

    /**
     * Gives back a reference taken by {@link #counter}; the last one frees the counter, whose series then disappears
     * from {@code /metrics} and {@code portgate stat}. Control plane only, once nothing writes it any more.
     *
     * @param counter the counter.
     */
    public void release(final AtomicCounter counter)
    {
        synchronized (shared)
        {
            final Shared entry = byId.get(counter.id());
            if (entry == null || entry.counter != counter)
            {
                return;
            }
            if (--entry.references == 0)
            {
                shared.remove(entry.key);
                byId.remove(counter.id());
                counter.close();
            }
        }
    }

    /**
     * How many more counters fit.
     *
     * @return free counters.
     */
    public int available()
    {
        synchronized (shared)
        {
            return counters.available();
        }
    }

    /** A counter and how many holders share it. */
    private static final class Shared
    {
        final String key;
        final AtomicCounter counter;
        int references = 1;

        Shared(final String key, final AtomicCounter counter)
        {
            this.key = key;
            this.counter = counter;
        }
    }

    /**
     * The buffer every counter value lives in, for writers that address counters by offset.
     *
     * @return the values buffer.
     */
    public AtomicBuffer valuesBuffer()
    {
        return values;
    }

    /**
     * Where a counter's value lives in {@link #valuesBuffer()}.
     *
     * @param counter a counter of this file.
     * @return its byte offset.
     */
    public int counterOffset(final AtomicCounter counter)
    {
        return CountersReader.counterOffset(counter.id());
    }

    /**
     * Records that the balancer is alive; {@code portgate stat} shows how long ago this was.
     *
     * @param epochMs the wall-clock time.
     */
    public void heartbeat(final long epochMs)
    {
        header.putLongRelease(HEARTBEAT_OFFSET, epochMs);
    }

    /**
     * The region its distinct errors are recorded in, for an {@link ErrorLog}.
     *
     * @return the error log's buffer.
     */
    public AtomicBuffer errorLogBuffer()
    {
        return errorLog;
    }

    /**
     * A reader over these counters, in this process.
     *
     * @return the reader.
     */
    public MetricsReader reader()
    {
        return new MetricsReader(header, counters, errorLog, null);
    }

    /**
     * The file, or null in memory.
     *
     * @return the path.
     */
    public Path file()
    {
        return file;
    }

    /**
     * Deletes the file (a stopped balancer leaves no stale metrics behind), then releases its lock. The mapping itself
     * stays valid until it is garbage collected, so a late reader in this process (a stats call racing the stop) reads
     * the last values instead of crashing on unmapped memory.
     */
    @Override
    public void close()
    {
        if (mapped != null)
        {
            try
            {
                Files.deleteIfExists(file);
            }
            catch (final IOException ignored)
            {
                // Left behind: the next start replaces it, and stat reports it as stale meanwhile.
            }
        }
        if (lock != null && lock.isOpen())
        {
            closeQuietly(lock);
        }
    }
}
