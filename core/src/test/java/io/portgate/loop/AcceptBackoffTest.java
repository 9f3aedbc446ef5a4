package io.portgate.loop;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The pauses a listener takes after failed accepts: doubling from 10 ms to a second, reset by a success. */
class AcceptBackoffTest
{
    private static final long MS = 1_000_000L;

    @Test
    void doublesUpToASecondAndStaysThere()
    {
        final AcceptBackoff backoff = new AcceptBackoff();
        final List<Long> pauses = new ArrayList<>();
        for (int i = 0; i < 10; i++)
        {
            pauses.add(backoff.failed() / MS);
        }
        assertEquals(List.of(10L, 20L, 40L, 80L, 160L, 320L, 640L, 1000L, 1000L, 1000L), pauses);
    }

    @Test
    void aSuccessResetsIt()
    {
        final AcceptBackoff backoff = new AcceptBackoff();
        backoff.failed();
        backoff.failed();
        backoff.failed();
        backoff.succeeded();
        assertEquals(AcceptBackoff.MIN_PAUSE_NS, backoff.nextPauseNs());
        assertEquals(10 * MS, backoff.failed());
    }
}
