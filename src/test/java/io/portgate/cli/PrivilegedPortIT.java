package io.portgate.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code ./portgate check} of a listener on port 80 as a user without CAP_NET_BIND_SERVICE: the check reads the real
 * /proc (the unprivileged port start and the process's capabilities) and says it cannot bind, as {@code run} would
 * find out. As root, which holds the capability, the same file is valid.
 */
@EnabledOnOs(OS.LINUX)
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PrivilegedPortIT
{
    /** As user and group nobody, with no capabilities at all. */
    private static final List<String> AS_NOBODY = List.of("setpriv", "--reuid=65534", "--regid=65534",
        "--clear-groups", "--inh-caps=-all");

    @TempDir
    Path dir;

    private static long uid() throws IOException
    {
        for (final String line : Files.readAllLines(Path.of("/proc/self/status")))
        {
            if (line.startsWith("Uid:"))
            {
                return Long.parseLong(line.substring(4).trim().split("\\s+")[1]);
            }
        }
        throw new IllegalStateException("no Uid: line in /proc/self/status");
    }

    private static String run(final List<String> command) throws IOException, InterruptedException
    {
        final Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.SECONDS), String.join(" ", command));
        return out;
    }

    private Path configOnPort80() throws IOException
    {
        // Readable by nobody: the temporary directory is made private to its owner.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        final Path file = dir.resolve("port80.yaml");
        Files.writeString(file, """
            listeners:
              - name: web
                bind: 127.0.0.1:80
                pool: web
                max-connections: 100
            pools:
              web:
                targets: [127.0.0.1:9000]
            """);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        return file;
    }

    private static int unprivilegedPortStart() throws IOException
    {
        return Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_unprivileged_port_start"))
            .getFirst().trim());
    }

    @Test
    void aListenerOnPort80IsAnErrorForAnUnprivilegedUser() throws Exception
    {
        assumeTrue(unprivilegedPortStart() > 80, "this kernel lets anyone bind port 80");
        final Path file = configOnPort80();
        final boolean root = uid() == 0;
        final List<String> prefix = root ? AS_NOBODY : List.of();
        if (root)
        {
            // The child really runs without the capability: its effective set is empty.
            final List<String> status = new java.util.ArrayList<>(AS_NOBODY);
            status.addAll(List.of("cat", "/proc/self/status"));
            final String said = run(status);
            assertTrue(said.contains("CapEff:\t0000000000000000"), said);
            assertTrue(said.lines().anyMatch(l -> l.matches("Uid:\\s+65534\\s.*")), said);
        }
        // The launcher's build lock is root's; the jar is fresh (PortgateProcess checks), so no build is needed.
        try (PortgateProcess p = PortgateProcess.start(prefix, Map.of("PORTGATE_SKIP_BUILD", "1"), "check",
            file.toString()))
        {
            final PortgateProcess.Result r = p.await(Duration.ofSeconds(60));
            assertEquals(2, r.status(), r.toString());
            assertTrue(r.out().contains(file + ":3:11: error: listener 'web' binds port 80, below " +
                unprivilegedPortStart() + ", and this process lacks the CAP_NET_BIND_SERVICE capability needed to " +
                "bind it"), r.toString());
            assertEquals("", r.err(), r.toString());
        }
    }

    @Test
    void theSameListenerIsValidForRootWhichHoldsTheCapability() throws Exception
    {
        assumeTrue(uid() == 0, "not running as root");
        final Path file = configOnPort80();
        final PortgateProcess.Result r = PortgateProcess.run(Duration.ofSeconds(60), Map.of(), "check",
            file.toString());
        assertEquals(0, r.status(), r.toString());
        assertTrue(r.out().contains(file + ": valid (1 listener, 1 pool, 1 target); 0 errors"), r.toString());
    }
}
