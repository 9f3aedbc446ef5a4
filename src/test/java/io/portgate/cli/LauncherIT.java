package io.portgate.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ./portgate} as a user runs it: every error the command prints reaches the terminal on stderr, and the exit
 * status is the README's.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class LauncherIT
{
    @TempDir
    Path dir;

    @Test
    void aBadOptionIsReportedOnStderrWithExit2() throws Exception
    {
        final PortgateProcess.Result r = PortgateProcess.run("check", "--bogus", "x");
        assertEquals(2, r.status(), r.toString());
        assertTrue(r.err().contains("Unknown option: '--bogus'"), r.toString());
        assertTrue(r.err().contains("portgate check --help"), r.toString());
        assertEquals("", r.out(), r.toString());
    }

    @Test
    void theExampleConfigurationChecksCleanOnStdout() throws Exception
    {
        final PortgateProcess.Result r = PortgateProcess.run("check", "config/portgate.yaml");
        assertEquals(0, r.status(), r.toString());
        assertTrue(r.out().contains("config/portgate.yaml: valid"), r.toString());
        assertEquals("", r.err(), r.toString());
    }

    @Test
    void runWithAConfigurationErrorPrintsFileLineAndColumnOnStderr() throws Exception
    {
        final Path file = dir.resolve("bad.yaml");
        Files.writeString(file, """
            listeners:
              - name: web
                bind: 127.0.0.1:70000
                pool: p
            pools:
              p:
                targets: [127.0.0.1:9000]
            """);
        final PortgateProcess.Result r = PortgateProcess.run(Duration.ofSeconds(60), Map.of(), "run",
            file.toString());
        assertEquals(2, r.status(), r.toString());
        assertTrue(r.err().contains(file + ":3:"), r.toString());
        assertTrue(r.err().contains("not starting"), r.toString());
    }

    @Test
    void runThatCannotBindSaysWhichPortOnStderr() throws Exception
    {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            final Path file = dir.resolve("taken.yaml");
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
                """.formatted(dir.resolve("m"), taken.getLocalPort()));
            final PortgateProcess.Result r = PortgateProcess.run(Duration.ofSeconds(60), Map.of(), "run",
                file.toString());
            assertEquals(2, r.status(), r.toString());
            assertTrue(r.err().contains(Integer.toString(taken.getLocalPort())), r.toString());
            assertTrue(r.err().contains("web"), r.toString());
        }
    }

    @Test
    void statWithoutAMetricsFileSaysSoOnStderr() throws Exception
    {
        final Path missing = dir.resolve("nothing-here.metrics");
        final PortgateProcess.Result r = PortgateProcess.run("stat", "--once", "--file", missing.toString());
        assertEquals(2, r.status(), r.toString());
        assertTrue(r.err().contains(missing.toString()), r.toString());
    }

    @Test
    void versionAndHelpGoToStdout() throws Exception
    {
        final PortgateProcess.Result version = PortgateProcess.run("--version");
        assertEquals(0, version.status(), version.toString());
        assertTrue(version.out().startsWith("portgate "), version.toString());
        final PortgateProcess.Result help = PortgateProcess.run("--help");
        assertEquals(0, help.status(), help.toString());
        assertTrue(help.out().contains("Exit codes:"), help.toString());
    }

    @Test
    void tooManyArgumentsIsOneErrorWithExit2() throws Exception
    {
        final PortgateProcess.Result r = PortgateProcess.run("check", "a.yaml", "b.yaml");
        assertEquals(2, r.status(), r.toString());
        assertTrue(r.err().startsWith("portgate: "), r.toString());
    }

    @Test
    void anOptionValueOfTheWrongTypeIsACommandLineError() throws Exception
    {
        // An option value that is not a number is a command-line error (2), whatever the command.
        final PortgateProcess.Result r = PortgateProcess.run("demo", "--connections", "many");
        assertEquals(2, r.status(), r.toString());
        assertTrue(r.err().contains("many"), r.toString());
        assertEquals("", r.out(), r.toString());
    }
}
