package io.portgate.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The launcher scripts find a JDK >= 22 or say in one sentence that there is none. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LauncherTest
{
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    private record Run(int status, String out, String err)
    {
    }

    private static Run run(final Map<String, String> env, final String... command)
        throws IOException, InterruptedException
    {
        final ProcessBuilder pb = new ProcessBuilder(command).directory(ROOT.toFile());
        pb.environment().remove("JAVA_HOME");
        pb.environment().remove("PORTGATE_JAVA_HOME");
        pb.environment().putAll(env);
        final Process p = pb.start();
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        final String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Run(p.waitFor(), out, err);
    }

    @Test
    void findsAJdkOfAtLeast22()
        throws IOException, InterruptedException
    {
        final Run run = run(Map.of(), "./mvnw", "--java-home");
        assertEquals(0, run.status(), run.err());
        final Path home = Path.of(run.out().trim());
        final String release = Files.readString(home.resolve("release"));
        final int feature = Integer.parseInt(release.replaceAll("(?s).*JAVA_VERSION=\"(\\d+).*", "$1"));
        assertTrue(feature >= 22, "found JDK " + feature + " at " + home);
    }

    @Test
    void saysSoInOneSentenceWhenThereIsNoSuitableJdk()
        throws IOException, InterruptedException
    {
        // Only the system directories on PATH: the default java there is older than 22, or absent.
        final Map<String, String> env = Map.of("PORTGATE_JDK_SEARCH", "/nonexistent", "PATH", "/usr/bin:/bin");
        for (final String launcher : new String[] {"./mvnw", "./portgate"})
        {
            final Run run = run(env, launcher, "--version");
            assertEquals(3, run.status(), launcher + ": " + run.out() + run.err());
            assertEquals(1, run.err().strip().lines().count(), run.err());
            assertTrue(run.err().startsWith("portgate needs a JDK 22 or newer and none was found"), run.err());
        }
    }
}
