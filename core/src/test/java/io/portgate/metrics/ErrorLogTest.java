package io.portgate.metrics;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.SocketException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Unexpected errors kept as Agrona keeps them: each distinct error once in the metrics file, with its count and its
 * first and last time, read back through another mapping of the file as {@code portgate stat --errors} does.
 */
class ErrorLogTest
{
    @TempDir
    Path dir;

    private static Throwable failure(final String message)
    {
        // One place, so that every failure made here has the same stack: the same error, happening again.
        return new SocketException(message);
    }

    @Test
    void eachDistinctErrorIsKeptOnceWithItsCountAndTimes()
    {
        final AtomicLong now = new AtomicLong(1_700_000_000_000L);
        final List<Throwable> alsoTold = new ArrayList<>();
        try (MetricsFile metrics = MetricsFile.inMemory(16, 64 * 1024))
        {
            final ErrorLog log = new ErrorLog(metrics.errorLogBuffer(), now::get, alsoTold::add);
            final List<Throwable> thrown = new ArrayList<>();
            for (int i = 0; i < 3; i++)
            {
                thrown.add(failure("Too many open files"));
            }
            log.onError(thrown.get(0));
            now.addAndGet(1_000);
            log.onError(new IOException("receive failed: Connection refused"));
            now.addAndGet(1_000);
            log.onError(thrown.get(1));
            log.onError(thrown.get(2));

            assertEquals(4, log.count());
            assertEquals(4, alsoTold.size(), "an injected handler hears of every error");
            final List<MetricsReader.Error> errors = metrics.reader().errors();
            assertEquals(2, errors.size(), errors.toString());
            assertEquals(3, errors.get(0).count());
            assertEquals(1_700_000_000_000L, errors.get(0).firstMs());
            assertEquals(1_700_000_002_000L, errors.get(0).lastMs());
            assertTrue(errors.get(0).text().startsWith("java.net.SocketException: Too many open files"),
                errors.get(0).text());
            assertTrue(errors.get(0).text().contains("at io.portgate.metrics.ErrorLogTest.failure"), "with its stack");
            assertEquals(1, errors.get(1).count());
            assertTrue(errors.get(1).text().startsWith("java.io.IOException: receive failed: Connection refused"));
        }
    }

    @Test
    void anotherMappingOfTheFileReadsThemLive()
    {
        final Path file = dir.resolve("portgate.metrics");
        try (MetricsFile metrics = MetricsFile.create(file, 16, 64 * 1024);
            MetricsReader other = MetricsReader.open(file))
        {
            final ErrorLog log = new ErrorLog(metrics.errorLogBuffer(), System::currentTimeMillis, null);
            assertEquals(List.of(), other.errors());
            log.onError(failure("No buffer space available"));
            assertEquals(1, other.errors().size());
            assertTrue(other.errors().getFirst().text().contains("No buffer space available"));
        }
    }

    @Test
    void aFullLogStillCountsWhatItCannotKeep()
    {
        try (MetricsFile metrics = MetricsFile.inMemory(16, 1024))
        {
            final ErrorLog log = new ErrorLog(metrics.errorLogBuffer(), System::currentTimeMillis, null);
            for (int i = 0; i < 50; i++)
            {
                log.onError(new IllegalStateException("distinct " + i));
            }
            assertEquals(50, log.count());
            assertTrue(metrics.reader().errors().size() < 50, "1 KiB holds a few stack traces, not fifty");
        }
    }
}
