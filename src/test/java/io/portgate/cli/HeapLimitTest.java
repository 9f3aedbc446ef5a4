package io.portgate.cli;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code run} says when the JVM was started without a heap limit, and only then. */
class HeapLimitTest
{
    @Test
    void everyWayOfGivingALimitSilencesTheNote()
    {
        for (final String limit : List.of("-Xmx512m", "-XX:MaxHeapSize=536870912", "-XX:MaxRAMPercentage=10",
            "-XX:MaxRAM=2g"))
        {
            assertNull(HeapLimit.note(List.of("--enable-native-access=ALL-UNNAMED", limit), 1L << 29), limit);
        }
    }

    @Test
    void withoutALimitItSaysWhatTheJvmTookAndWhatToPass()
    {
        // -Xms and -XX:InitialHeapSize set where the heap starts, not where it stops.
        final String note = HeapLimit.note(List.of("-Xms64m", "-XX:InitialHeapSize=67108864"), 6L << 30);
        assertTrue(note.startsWith("portgate run: no heap limit was given, so the JVM took 6144 MiB"), note);
        assertTrue(note.contains("-Xms64m -Xmx512m -XX:+UseG1GC"), note);
    }
}
