package io.portgate.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 15, finding 5: {@code ./portgate run} runs with a bounded heap and the G1 collector by default, and
 * {@code PORTGATE_JAVA_OPTS} replaces them, read back from the running JVM itself ({@code /proc/PID/cmdline} and
 * {@code jcmd PID VM.flags}). And {@code java -jar}, which no manifest can give a heap limit, says so.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HeapDefaultsIT
{
    @TempDir
    Path dir;

    private Path config() throws IOException
    {
        final Path file = dir.resolve("heap.yaml");
        Files.writeString(file, """
            workers: 1
            metrics-file: %s
            listeners:
              - name: web
                bind: 127.0.0.1:%d
                pool: p
            pools:
              p:
                targets: [127.0.0.1:9]
            """.formatted(dir.resolve("portgate.metrics"), NonEphemeralPort.free()));
        return file;
    }

    /** The running JVM's command line and the flags it runs with. */
    private record Jvm(List<String> commandLine, String flags)
    {
    }

    private static Jvm inspect(final PortgateProcess run) throws Exception
    {
        run.awaitOut(l -> l.startsWith("portgate: running"), Duration.ofSeconds(60));
        final byte[] cmdline = Files.readAllBytes(Path.of("/proc", Long.toString(run.pid()), "cmdline"));
        final List<String> args = List.of(new String(cmdline, StandardCharsets.UTF_8).split("\0"));
        final Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
            Long.toString(run.pid()), "VM.flags").redirectErrorStream(true).start();
        final String flags = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(jcmd.waitFor(60, TimeUnit.SECONDS), "jcmd did not end");
        assertEquals(0, jcmd.exitValue(), flags);
        return new Jvm(args, flags);
    }

    @Test
    void runHasTheDefaultHeapLimitAndCollector() throws Exception
    {
        try (PortgateProcess run = PortgateProcess.start(Map.of(), "run", config().toString()))
        {
            final Jvm jvm = inspect(run);
            assertTrue(jvm.commandLine().containsAll(List.of("-Xms64m", "-Xmx512m", "-XX:+UseG1GC",
                "-XX:MaxDirectMemorySize=1t")), jvm.commandLine().toString());
            assertTrue(jvm.flags().contains("-XX:MaxHeapSize=536870912"), jvm.flags());
            assertTrue(jvm.flags().contains("-XX:+UseG1GC"), jvm.flags());
            run.signal("TERM");
            final PortgateProcess.Result result = run.await(Duration.ofSeconds(30));
            assertEquals(0, result.status(), result.toString());
            assertFalse(result.err().contains("no heap limit"), result.toString());
        }
    }

    @Test
    void aHeapLimitInPortgateJavaOptsWins() throws Exception
    {
        try (PortgateProcess run = PortgateProcess.start(Map.of("PORTGATE_JAVA_OPTS", "-Xmx300m"), "run",
            config().toString()))
        {
            final Jvm jvm = inspect(run);
            assertTrue(jvm.flags().contains("-XX:MaxHeapSize=314572800"), jvm.flags());
            assertFalse(jvm.commandLine().contains("-Xmx512m"), jvm.commandLine().toString());
            assertTrue(jvm.flags().contains("-XX:+UseG1GC"), "the collector stays the default: " + jvm.flags());
        }
    }

    @Test
    void aCollectorAndASmallHeapInPortgateJavaOptsReplaceTheDefaults() throws Exception
    {
        // Both would stop a JVM that also got the defaults: two collectors, and -Xms64m above -Xmx32m.
        try (PortgateProcess run = PortgateProcess.start(Map.of("PORTGATE_JAVA_OPTS", "-XX:+UseSerialGC -Xmx32m"),
            "run", config().toString()))
        {
            final Jvm jvm = inspect(run);
            assertTrue(jvm.flags().contains("-XX:+UseSerialGC"), jvm.flags());
            assertFalse(jvm.flags().contains("-XX:+UseG1GC"), jvm.flags());
            assertTrue(jvm.flags().contains("-XX:MaxHeapSize=33554432"), jvm.flags());
        }
    }

    @Test
    void javaDashJarWithoutAHeapLimitSaysWhatToPass() throws Exception
    {
        final List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin",
            "java").toString(), "-jar", PortgateProcess.JAR.toString(), "run", config().toString()));
        final Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try
        {
            final java.io.BufferedReader out = new java.io.BufferedReader(new java.io.InputStreamReader(
                p.getInputStream(), StandardCharsets.UTF_8));
            final StringBuilder seen = new StringBuilder();
            for (String line; (line = out.readLine()) != null; )
            {
                seen.append(line).append('\n');
                if (line.startsWith("portgate: running"))
                {
                    break;
                }
            }
            assertTrue(seen.toString().contains("portgate run: no heap limit was given, so the JVM took "),
                seen.toString());
            assertTrue(seen.toString().contains("-Xms64m -Xmx512m -XX:+UseG1GC"), seen.toString());
        }
        finally
        {
            p.destroy();
            p.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
