package io.portgate.cli;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Locale;

/**
 * Whether the JVM was given a heap limit. {@code ./portgate} and the runtime image's {@code bin/portgate} give it one
 * ({@link #LAUNCHER_OPTIONS}); a jar's manifest cannot carry JVM options, so {@code java -jar portgate.jar run} gets
 * the JVM's own default, a quarter of the machine's memory, and {@code run} says so.
 */
final class HeapLimit
{
    /** What both launchers pass unless PORTGATE_JAVA_OPTS names a heap size or a collector (README, "Memory"). */
    static final String LAUNCHER_OPTIONS = "-Xms64m -Xmx512m -XX:+UseG1GC -XX:MaxDirectMemorySize=1t";

    private static final List<String> LIMITS = List.of("-Xmx", "-XX:MaxHeapSize=", "-XX:MaxRAMPercentage=",
        "-XX:MaxRAM=", "-XX:MaxRAMFraction=");

    private HeapLimit()
    {
    }

    /**
     * The line {@code run} prints when the JVM was started without a heap limit.
     *
     * @param jvmArguments the JVM's own arguments, as {@link java.lang.management.RuntimeMXBean} reports them.
     * @param maxHeap      the heap limit the JVM chose, in bytes.
     * @return the line, or null when a limit was given.
     */
    static String note(final List<String> jvmArguments, final long maxHeap)
    {
        for (final String argument : jvmArguments)
        {
            for (final String limit : LIMITS)
            {
                if (argument.startsWith(limit))
                {
                    return null;
                }
            }
        }
        return String.format(Locale.ROOT, "portgate run: no heap limit was given, so the JVM took %d MiB (a quarter " +
            "of this machine's memory); ./portgate and the runtime image start it with %s, and so should java -jar " +
            "(README, \"Memory\")", maxHeap / (1024 * 1024), LAUNCHER_OPTIONS);
    }

    /** @return the line for this JVM, or null. */
    static String note()
    {
        return note(ManagementFactory.getRuntimeMXBean().getInputArguments(), Runtime.getRuntime().maxMemory());
    }
}
