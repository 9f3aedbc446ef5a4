package io.portgate.metrics;

import org.agrona.IoUtil;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.errors.ErrorLogReader;
import org.agrona.concurrent.status.CountersReader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a balancer's counters, from its own process or from another one through the metrics file, and sums each
 * metric over the workers.
 */
public final class MetricsReader implements AutoCloseable
{
    private final AtomicBuffer header;
    private final CountersReader counters;
    private final AtomicBuffer errorLog;
    private final MappedByteBuffer mapped;

    MetricsReader(final AtomicBuffer header, final CountersReader counters, final AtomicBuffer errorLog,
        final MappedByteBuffer mapped)
    {
        this.header = header;
        this.counters = counters;
        this.errorLog = errorLog;
        this.mapped = mapped;
    }

    /**
     * One distinct error the balancer recorded, as Agrona's {@code ErrorLogReader} reads it.
     *
     * @param count     how many times it happened.
     * @param firstMs   when it first happened, epoch milliseconds.
     * @param lastMs    when it last happened, epoch milliseconds.
     * @param text      the error with its stack trace.
     */
    public record Error(int count, long firstMs, long lastMs, String text)
    {
    }

    /**
     * One metric with one set of labels, summed over the workers.
     *
     * @param metric the metric.
     * @param labels its labels in Prometheus form, without braces.
     * @param value  the sum.
     */
    public record Sample(Metric metric, String labels, long value)
    {
        /**
         * One label's value.
         *
         * @param name the label.
         * @return its value, or null.
         */
        public String label(final String name)
        {
            return Labels.parse(labels).get(name);
        }
    }

    /**
     * Maps another process's metrics file.
     *
     * @param file the file.
     * @return the reader.
     * @throws IllegalArgumentException when the file is missing or is not a portgate metrics file.
     */
    public static MetricsReader open(final Path file)
    {
        final long size;
        try
        {
            size = Files.size(file);
        }
        catch (final NoSuchFileException ex)
        {
            throw new IllegalArgumentException("no metrics file at " + file + ": is portgate running with this " +
                "metrics-file?");
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        if (size < MetricsFile.HEADER_LENGTH)
        {
            throw new IllegalArgumentException(file + " is not a portgate metrics file (too short)");
        }
        final MappedByteBuffer mapped;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, size);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot map " + file, ex);
        }
        final UnsafeBuffer header = new UnsafeBuffer(mapped, 0, MetricsFile.HEADER_LENGTH);
        if (header.getLongAcquire(MetricsFile.MAGIC_OFFSET) != MetricsFile.MAGIC)
        {
            IoUtil.unmap(mapped);
            throw new IllegalArgumentException(file + " is not a portgate metrics file");
        }
        final int version = header.getInt(MetricsFile.VERSION_OFFSET);
        final int metaLength = header.getInt(MetricsFile.META_LENGTH_OFFSET);
        final int valuesLength = header.getInt(MetricsFile.VALUES_LENGTH_OFFSET);
        final int errorLogLength = header.getInt(MetricsFile.ERROR_LOG_LENGTH_OFFSET);
        if (version != MetricsFile.VERSION ||
            MetricsFile.HEADER_LENGTH + (long)metaLength + valuesLength + errorLogLength > size)
        {
            IoUtil.unmap(mapped);
            throw new IllegalArgumentException(file + " was written by another portgate version (" + version + ")");
        }
        final CountersReader counters = new CountersReader(
            new UnsafeBuffer(mapped, MetricsFile.HEADER_LENGTH, metaLength),
            new UnsafeBuffer(mapped, MetricsFile.HEADER_LENGTH + metaLength, valuesLength), StandardCharsets.US_ASCII);
        final UnsafeBuffer errorLog = new UnsafeBuffer(mapped, MetricsFile.HEADER_LENGTH + metaLength + valuesLength,
            errorLogLength);
        return new MetricsReader(header, counters, errorLog, mapped);
    }

    /**
     * The process that writes the counters.
     *
     * @return its pid.
     */
    public long pid()
    {
        return header.getLong(MetricsFile.PID_OFFSET);
    }

    /**
     * When the balancer started.
     *
     * @return epoch milliseconds.
     */
    public long startEpochMs()
    {
        return header.getLong(MetricsFile.START_OFFSET);
    }

    /**
     * When the balancer last said it was alive.
     *
     * @return epoch milliseconds.
     */
    public long heartbeatEpochMs()
    {
        return header.getLongAcquire(MetricsFile.HEARTBEAT_OFFSET);
    }

    /**
     * Whether the writing process is still alive.
     *
     * @return true when it runs.
     */
    public boolean ownerAlive()
    {
        return ProcessHandle.of(pid()).map(ProcessHandle::isAlive).orElse(false);
    }

    /**
     * Every metric summed over the workers, in metric order then label order of allocation.
     *
     * @return the samples.
     */
    public List<Sample> samples()
    {
        final Map<String, long[]> sums = new LinkedHashMap<>();
        final Map<String, Metric> metrics = new LinkedHashMap<>();
        counters.forEach((value, counterId, label) ->
        {
            final Metric metric = Metric.ofTypeId(counters.getCounterTypeId(counterId));
            if (metric == null)
            {
                return;
            }
            final String key = metric.typeId() + "|" + label;
            sums.computeIfAbsent(key, k -> new long[1])[0] += value;
            metrics.putIfAbsent(key, metric);
        });
        final List<Sample> samples = new ArrayList<>(sums.size());
        sums.forEach((key, sum) -> samples.add(new Sample(metrics.get(key), key.substring(key.indexOf('|') + 1),
            sum[0])));
        samples.sort(Comparator.comparingInt(s -> s.metric().ordinal()));
        return samples;
    }

    /**
     * The sum of one metric over the workers and every label set matching the given labels.
     *
     * @param metric the metric.
     * @param labels label names and values that must match, alternating.
     * @return the sum.
     */
    public long sum(final Metric metric, final String... labels)
    {
        long total = 0;
        for (final Sample s : samples())
        {
            if (s.metric() != metric)
            {
                continue;
            }
            final Map<String, String> have = Labels.parse(s.labels());
            boolean match = true;
            for (int i = 0; i + 1 < labels.length; i += 2)
            {
                match &= labels[i + 1].equals(have.get(labels[i]));
            }
            if (match)
            {
                total += s.value();
            }
        }
        return total;
    }

    /**
     * Every distinct error the balancer recorded, oldest first.
     *
     * @return the errors.
     */
    public List<Error> errors()
    {
        final List<Error> errors = new ArrayList<>();
        ErrorLogReader.read(errorLog, (count, first, last, text) -> errors.add(new Error(count, first, last, text)));
        return errors;
    }

    @Override
    public void close()
    {
        if (mapped != null)
        {
            IoUtil.unmap(mapped);
        }
    }
}
