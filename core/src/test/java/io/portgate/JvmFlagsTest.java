package io.portgate;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The library checks the JVM's flags at start: a JVM without the fast paths' flags still forwards, on plain NIO, and
 * says which flag would turn them on; one without the flag Agrona cannot do without fails the start naming it.
 * Each case runs a real JVM of its own ({@link JvmFlagsMain}) with the flags left out.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class JvmFlagsTest
{
    private static final String AGRONA = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED";

    @Test
    void theTestJvmHasEveryFlag()
    {
        final JvmFlags flags = JvmFlags.check();
        assertTrue(flags.allPresent(), flags.flags().toString());
        assertEquals(List.of("--add-exports java.base/jdk.internal.misc=ALL-UNNAMED",
            "--enable-native-access=ALL-UNNAMED", "--add-exports java.base/sun.nio.ch=ALL-UNNAMED"),
            flags.flags().stream().map(JvmFlags.Flag::option).toList());
        assertEquals("", flags.missingOptions());
    }

    @Test
    void withoutTheFastPathsFlagsItForwardsOnPlainNioAndSaysWhichFlagsWouldEnableThem() throws Exception
    {
        final Run run = run(List.of(AGRONA));
        assertTrue(run.stdout.contains("missing=--enable-native-access=ALL-UNNAMED --add-exports " +
            "java.base/sun.nio.ch=ALL-UNNAMED\n"), run.toString());
        assertTrue(run.stdout.contains("fast-paths={splice=false, udp-batching=false, udp-gso=false}"),
            run.toString());
        assertTrue(run.stdout.contains("bytes=ok"), run.toString());
        assertTrue(run.stderr.contains("JVM flag --enable-native-access=ALL-UNNAMED is missing"), run.toString());
        assertTrue(run.stderr.contains("JVM flag --add-exports java.base/sun.nio.ch=ALL-UNNAMED is missing"),
            run.toString());
        assertTrue(run.stderr.contains("fast-paths.splice: auto: copying through NIO buffers"), run.toString());
        assertFalse(run.stderr.contains("WARNING: A restricted method"), "no downcall was made without the flag: " +
            run);
        assertEquals(0, run.exit, run.toString());
    }

    @Test
    void withTheFlagsTheFastPathsRun() throws Exception
    {
        final Run run = run(List.of(AGRONA, "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
            "--enable-native-access=ALL-UNNAMED"));
        assertTrue(run.stdout.contains("missing=\n"), run.toString());
        assertTrue(run.stdout.contains("fast-paths={splice=true"), run.toString());
        assertTrue(run.stdout.contains("bytes=ok"), run.toString());
    }

    @Test
    void withoutAgronasFlagTheStartFailsNamingIt() throws Exception
    {
        final Run run = run(List.of());
        assertTrue(run.stdout.contains("start-failed=portgate needs the JVM flag --add-exports " +
            "java.base/jdk.internal.misc=ALL-UNNAMED for Agrona's off-heap buffers"), run.toString());
        assertFalse(run.stdout.contains("bytes="), run.toString());
    }

    private record Run(int exit, String stdout, String stderr)
    {
    }

    private static Run run(final List<String> flags) throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(flags);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(JvmFlagsMain.class.getName());
        final Path out = Files.createTempFile("jvmflags", ".out");
        final Path err = Files.createTempFile("jvmflags", ".err");
        try
        {
            final Process process = new ProcessBuilder(command).redirectOutput(out.toFile())
                .redirectError(err.toFile()).start();
            if (!process.waitFor(60, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                throw new AssertionError("the JVM did not finish within 60 s: " + Files.readString(out) +
                    Files.readString(err));
            }
            return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
        }
        finally
        {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
