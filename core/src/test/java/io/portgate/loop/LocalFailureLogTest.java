package io.portgate.loop;

import org.junit.jupiter.api.Test;

import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A burst of local failures is reported once a second per reason, not once per failure, on a hand-moved clock. */
class LocalFailureLogTest
{
    private static final long MS = 1_000_000L;

    @Test
    void aBurstIsReportedOncePerSecondPerReason()
    {
        final List<Throwable> reported = new ArrayList<>();
        final LocalFailureLog log = new LocalFailureLog();
        final SocketException emfile = new SocketException("Too many open files");
        long now = 5_000 * MS;
        // 1,000 failures over half a second: one report.
        for (int i = 0; i < 1_000; i++)
        {
            log.onFailure(LocalFailure.EMFILE, "opening a socket to a target", emfile, reported::add, now);
            now += MS / 2;
        }
        assertEquals(1, reported.size());
        assertEquals(999, log.suppressed(LocalFailure.EMFILE));
        assertSame(emfile, reported.getFirst().getCause());
        assertTrue(reported.getFirst().getMessage().contains("(emfile) opening a socket to a target"),
            reported.getFirst().getMessage());
        // Another reason is reported on its own.
        assertTrue(log.onFailure(LocalFailure.EADDRNOTAVAIL, "opening a socket to a target",
            new SocketException("Cannot assign requested address"), reported::add, now));
        assertEquals(2, reported.size());
        // A second after the first report, the burst is reported again.
        assertFalse(log.onFailure(LocalFailure.EMFILE, "x", emfile, reported::add, 5_000 * MS + 999 * MS));
        assertTrue(log.onFailure(LocalFailure.EMFILE, "x", emfile, reported::add, 5_000 * MS + 1_000 * MS));
        assertEquals(0, log.suppressed(LocalFailure.EMFILE));
        assertEquals(3, reported.size());
    }

    @Test
    void reportsOfAKindAreAlike()
    {
        // The error log keeps one entry per distinct error: reports of one kind must not differ in their text.
        final List<Throwable> reported = new ArrayList<>();
        final LocalFailureLog log = new LocalFailureLog();
        log.onFailure(LocalFailure.ENOBUFS, "x", new SocketException("No buffer space available"), reported::add, 0);
        log.onFailure(LocalFailure.ENOBUFS, "x", new SocketException("No buffer space available"), reported::add,
            10_000 * MS);
        assertEquals(reported.get(0).getMessage(), reported.get(1).getMessage());
    }
}
