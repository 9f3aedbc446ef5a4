package io.portgate.access;

import io.portgate.net.Ip;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AccessLogWriterTest
{
    @TempDir
    Path dir;

    private final List<Throwable> errors = new CopyOnWriteArrayList<>();
    private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();

    @Test
    void writesEachCommittedRecordAsALineAndRecyclesIt() throws IOException
    {
        final Path file = dir.resolve("access.log");
        final AccessLogQueue first = new AccessLogQueue(8);
        final AccessLogQueue second = new AccessLogQueue(8);
        final AccessLogWriter writer = writer(List.of(first, second), AccessLogSettings.file(file,
            AccessLogFormat.TEXT));
        commit(first, 1);
        commit(second, 2);
        commit(first, 3);
        assertEquals(3, writer.doWork());
        assertEquals(0, writer.doWork());
        final List<String> lines = Files.readAllLines(file);
        assertEquals(3, lines.size());
        assertTrue(lines.get(0).contains(" 127.0.0.2:1 "), lines::toString);
        assertTrue(lines.get(1).contains(" 127.0.0.2:3 "), "one queue's records in order, then the next's");
        assertTrue(lines.get(2).contains(" 127.0.0.2:2 "));
        assertEquals(3, writer.linesWritten());
        for (int i = 0; i < 8; i++)
        {
            assertNotNull(first.claim(), "every record came back");
        }
        writer.onClose();
        assertTrue(errors.isEmpty(), errors::toString);
    }

    @Test
    void aFullQueueDropsAndCountsInsteadOfWaiting() throws IOException
    {
        final AccessLogQueue queue = new AccessLogQueue(4);
        final AccessLogWriter writer = writer(List.of(queue), AccessLogSettings.stdout(AccessLogFormat.JSON));
        for (int i = 0; i < 10; i++)
        {
            commit(queue, i);
        }
        assertEquals(4, queue.committed());
        assertEquals(6, queue.dropped());
        assertEquals(4, writer.doWork());
        commit(queue, 99);
        assertEquals(5, queue.committed());
        writer.doWork();
        final String[] lines = stdout.toString(StandardCharsets.UTF_8).split("\n");
        assertEquals(5, lines.length);
        assertTrue(lines[4].contains("\"client_port\":99"), lines[4]);
    }

    @Test
    void anAbortedClaimIsReusedNotLost() throws IOException
    {
        final AccessLogQueue queue = new AccessLogQueue(1);
        final AccessRecord record = queue.claim();
        assertNull(queue.claim());
        queue.abort(record);
        assertSame(record, queue.claim());
        assertEquals(1, queue.dropped());
        assertEquals(1, queue.capacity());
        assertThrows(IllegalArgumentException.class, () -> new AccessLogQueue(0));
    }

    @Test
    void reopensTheFileAfterARenameAsLogrotateDoes() throws IOException
    {
        final Path file = dir.resolve("access.log");
        final Path rotated = dir.resolve("access.log.1");
        final AccessLogQueue queue = new AccessLogQueue(16);
        final AccessLogWriter writer = writer(List.of(queue), AccessLogSettings.file(file, AccessLogFormat.TEXT));
        commit(queue, 1);
        writer.doWork();
        Files.move(file, rotated);
        commit(queue, 2);
        writer.doWork();
        writer.requestReopen();
        commit(queue, 3);
        writer.doWork();
        commit(queue, 4);
        writer.doWork();

        assertEquals(2, Files.readAllLines(rotated).size(), "lines written before the reopen go to the old file");
        final List<String> fresh = Files.readAllLines(file);
        assertEquals(2, fresh.size());
        assertTrue(fresh.get(0).contains(":3 "));
        assertEquals(1, writer.reopens());
        writer.onClose();
    }

    @Test
    void aPathThatCannotBeOpenedKeepsTheOldFileAndReports() throws IOException
    {
        final Path logs = Files.createDirectory(dir.resolve("logs"));
        final Path file = logs.resolve("access.log");
        final AccessLogQueue queue = new AccessLogQueue(16);
        final AccessLogWriter writer = writer(List.of(queue), AccessLogSettings.file(file, AccessLogFormat.TEXT));
        Files.move(file, dir.resolve("moved.log"));
        Files.delete(logs);
        writer.requestReopen();
        commit(queue, 1);
        writer.doWork();
        assertEquals(1, writer.writeErrors());
        assertEquals(1, errors.size());
        assertTrue(errors.getFirst().getMessage().startsWith("access log: cannot open " + file), errors::toString);
        assertEquals(1, Files.readAllLines(dir.resolve("moved.log")).size());

        assertThrows(IOException.class, () -> writer(List.of(queue), AccessLogSettings.file(file,
            AccessLogFormat.TEXT)), "a path that cannot be opened fails at once");
        writer.onClose();
    }

    @Test
    void aReloadSwitchesFormatAndDestination() throws IOException
    {
        final Path file = dir.resolve("access.json");
        final AccessLogQueue queue = new AccessLogQueue(16);
        final AccessLogWriter writer = writer(List.of(queue), AccessLogSettings.stdout(AccessLogFormat.TEXT));
        commit(queue, 1);
        writer.doWork();
        writer.requestReopen();
        writer.doWork();
        assertEquals(0, writer.reopens(), "standard output is never reopened");
        writer.reconfigure(AccessLogSettings.file(file, AccessLogFormat.JSON));
        commit(queue, 2);
        writer.doWork();
        assertTrue(stdout.toString(StandardCharsets.UTF_8).endsWith("client_close\n"));
        assertEquals(1, stdout.toString(StandardCharsets.UTF_8).split("\n").length);
        assertTrue(Files.readString(file).startsWith("{\"time\":"));
        assertEquals(AccessLogFormat.JSON, writer.settings().format());
        writer.onClose();
    }

    @Test
    void closingWritesEverythingStillQueuedBeyondOneBatch() throws IOException
    {
        final Path file = dir.resolve("access.log");
        final AccessLogQueue queue = new AccessLogQueue(5_000);
        final AccessLogWriter writer = writer(List.of(queue), AccessLogSettings.file(file, AccessLogFormat.JSON));
        for (int i = 0; i < 5_000; i++)
        {
            commit(queue, i);
        }
        writer.onClose();
        final List<String> lines = Files.readAllLines(file);
        assertEquals(5_000, lines.size());
        for (int i = 0; i < lines.size(); i++)
        {
            assertTrue(lines.get(i).contains("\"client_port\":" + i + ","), lines.get(i));
        }
    }

    @Test
    @Timeout(60)
    void aWriterThreadKeepsUpWithAProducerThreadAndEveryRecordIsWrittenOrCountedAsDropped() throws Exception
    {
        final Path file = dir.resolve("access.log");
        final AccessLogQueue queue = new AccessLogQueue(1_024);
        final AccessLogWriter writer = writer(List.of(queue), AccessLogSettings.file(file, AccessLogFormat.TEXT));
        final int attempts = 200_000;
        try (AgentRunner runner = new AgentRunner(new SleepingMillisIdleStrategy(1), errors::add, null, writer))
        {
            AgentRunner.startOnThread(runner);
            for (int i = 0; i < attempts; i++)
            {
                commit(queue, i & 0xFFFF);
                if ((i & 1023) == 0)
                {
                    Thread.onSpinWait();
                }
            }
        }
        assertEquals(attempts, queue.committed() + queue.dropped());
        assertEquals(queue.committed(), Files.readAllLines(file).size());
        assertEquals(queue.committed(), writer.linesWritten());
        assertTrue(errors.isEmpty(), errors::toString);
    }

    private AccessLogWriter writer(final List<AccessLogQueue> queues, final AccessLogSettings settings)
        throws IOException
    {
        return new AccessLogWriter(queues, settings, AccessLogNames.INDICES, errors::add,
            Channels.newChannel(stdout));
    }

    private static void commit(final AccessLogQueue queue, final int port)
    {
        final AccessRecord record = queue.claim();
        if (record != null)
        {
            queue.commit(record.copyFrom(AccessLogFormatTest.tcp()).client(0, Ip.mappedLow(0x7F00_0002), port));
        }
    }
}
