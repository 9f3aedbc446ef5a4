package io.portgate.bench.harness;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SequenceTrackerTest
{
    @Test
    void inOrderArrivalsAreAllDistinct()
    {
        final SequenceTracker t = new SequenceTracker();
        for (long s = 0; s < 200_000; s++)
        {
            t.record(s);
        }
        assertCounts(t, 200_000, 0, 0, 0);
    }

    @Test
    void countsDuplicatesAndReorderingExactly()
    {
        final SequenceTracker t = new SequenceTracker();
        t.record(0);
        t.record(2);
        t.record(1);
        t.record(2);
        t.record(1);
        t.record(5);
        t.record(3);
        assertCounts(t, 5, 2, 2, 0);
    }

    @Test
    void aGapLeavesTheMissingNumbersUnseen()
    {
        final SequenceTracker t = new SequenceTracker();
        t.record(10);
        t.record(SequenceTracker.WINDOW + 5L);
        t.record(SequenceTracker.WINDOW + 4L);
        t.record(11);
        assertCounts(t, 4, 0, 2, 0);
    }

    @Test
    void aWrappedSlotIsForgottenSoItsNewNumberIsNotADuplicate()
    {
        final SequenceTracker t = new SequenceTracker();
        t.record(3);
        t.record(SequenceTracker.WINDOW + 10L);
        // Same ring slot as 3, one window later, arriving late: a first arrival, not a duplicate.
        t.record(SequenceTracker.WINDOW + 3L);
        assertCounts(t, 3, 0, 1, 0);
    }

    @Test
    void tooFarBehindIsCountedApart()
    {
        final SequenceTracker t = new SequenceTracker();
        t.record(0);
        t.record(3L * SequenceTracker.WINDOW);
        t.record(1);
        assertCounts(t, 2, 0, 0, 1);
    }

    @Test
    void measuredStartMidSequence()
    {
        final SequenceTracker t = new SequenceTracker();
        for (long s = 5_000; s < 5_100; s++)
        {
            t.record(s);
        }
        assertCounts(t, 100, 0, 0, 0);
    }

    private static void assertCounts(final SequenceTracker t, final long distinct, final long duplicates,
        final long reordered, final long tooLate)
    {
        assertEquals(distinct, t.distinct(), "distinct");
        assertEquals(duplicates, t.duplicates(), "duplicates");
        assertEquals(reordered, t.reordered(), "reordered");
        assertEquals(tooLate, t.tooLate(), "too late");
    }
}
