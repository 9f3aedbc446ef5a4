package io.portgate.cli;

import io.portgate.config.ConfigLoader;
import io.portgate.config.HostFacts;
import io.portgate.config.ListenerConfig;
import io.portgate.config.PortRange;
import io.portgate.config.PortgateConfig;
import io.portgate.config.Protocol;
import io.portgate.config.Severity;
import io.portgate.config.Units;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code config/portgate.service} and the configuration it runs, {@code config/portgate-systemd.yaml}: systemd accepts
 * the unit, and the unit's numbers fit the configuration (descriptors, stop timeout, metrics file, capability).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ServiceUnitTest
{
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final Path UNIT = ROOT.resolve("config/portgate.service");
    static final Path CONFIG = ROOT.resolve("config/portgate-systemd.yaml");
    /** Where the unit expects the runtime image, by the install layout it documents. */
    static final String INSTALLED_LAUNCHER = "/opt/portgate/bin/portgate";
    /** The JVM's own files, each worker's selector fds, probes in flight and admin connections stay below this. */
    private static final long OTHER_DESCRIPTORS = 1024;

    @TempDir
    Path dir;

    /** A finished command. */
    record Ran(int status, String output)
    {
    }

    @Test
    void systemdAnalyzeVerifyAcceptsTheUnitWithoutAWord() throws Exception
    {
        final Ran ran = verify(unitWithLauncher(executableStub()), false, Map.of());
        assertEquals(0, ran.status(), ran.output());
        // verify exits 0 even when it ignores a line it cannot parse; such lines are printed, so nothing may be.
        assertEquals("", ran.output());
    }

    @Test
    void systemdAnalyzeVerifyWouldReportAMisspeltSetting() throws Exception
    {
        // What the test above relies on: a setting systemd does not know is printed (and then ignored).
        final String unit = Files.readString(unitWithLauncher(executableStub())).replace("ProtectSystem=strict",
            "ProtectSytem=strict");
        final Path misspelt = dir.resolve("misspelt.service");
        Files.writeString(misspelt, unit);
        final Ran ran = verify(misspelt, false, Map.of());
        assertTrue(ran.output().contains("ProtectSytem"), ran.output());
    }

    @Test
    void limitNofileCoversEveryDescriptorTheExampleConfigurationCanOpen() throws Exception
    {
        final PortgateConfig config = loadExample(capable(new TestHostFacts())).orThrow();
        long udpFlows = 0;
        long listeningSockets = 0;
        for (final ListenerConfig listener : config.listeners())
        {
            listeningSockets += (long) config.workers() * listener.bind().ports().size();
            if (listener.protocol() == Protocol.UDP)
            {
                // Each flow has a socket of its own, connected to its target; max-flows is per worker.
                udpFlows += (long) config.workers() * listener.maxFlows();
            }
        }
        // Every proxied TCP connection holds two: the client's socket and the one to the target.
        final long tcp = 2L * config.maxConnections();
        final long needed = tcp + udpFlows + listeningSockets + OTHER_DESCRIPTORS;
        final long limit = Long.parseLong(setting("LimitNOFILE"));
        assertTrue(limit >= needed, "LimitNOFILE=" + limit + " is below " + needed + " (tcp " + tcp + ", udp flows " +
            udpFlows + ", listening sockets " + listeningSockets + ", other " + OTHER_DESCRIPTORS + ")");
        assertTrue(Files.readString(UNIT).contains(String.format("%d", needed)),
            "the arithmetic in the unit's comment is out of date: its total should read " + needed);
    }

    @Test
    void theStopTimeoutOutlastsTheDrain() throws Exception
    {
        final PortgateConfig config = loadExample(capable(new TestHostFacts())).orThrow();
        final Duration stop = Units.parseDuration(setting("TimeoutStopSec"));
        assertTrue(stop.compareTo(config.drainTimeout()) > 0,
            "TimeoutStopSec " + stop + " must be longer than drain-timeout " + config.drainTimeout());
        assertEquals("SIGTERM", setting("KillSignal"));
        assertEquals("/bin/kill -HUP $MAINPID", setting("ExecReload"));
    }

    @Test
    void theMetricsFileLiesInTheUnitsRuntimeDirectory() throws Exception
    {
        final PortgateConfig config = loadExample(capable(new TestHostFacts())).orThrow();
        assertEquals(Path.of("/run", setting("RuntimeDirectory")), config.metricsFile().getParent());
    }

    @Test
    void theExampleBindsPrivilegedPortsSoItNeedsTheUnitsCapabilityAndIsCleanWithIt() throws Exception
    {
        final ConfigLoader.Result without = loadExample(new TestHostFacts());
        assertTrue(without.diagnostics().stream().anyMatch(d -> d.severity() == Severity.ERROR &&
            d.toString().contains("CAP_NET_BIND_SERVICE")), without.diagnostics().toString());

        assertEquals("CAP_NET_BIND_SERVICE", setting("AmbientCapabilities"));
        assertEquals("yes", setting("DynamicUser"));
        final ConfigLoader.Result with = loadExample(capable(new TestHostFacts()));
        assertEquals(0, with.count(Severity.ERROR), with.diagnostics().toString());
        assertEquals(0, with.count(Severity.WARNING), with.diagnostics().toString());
    }

    @Test
    void theUnitLetsTheJvmCompileAndRunsTheInstalledImage() throws Exception
    {
        // The JIT writes machine code and then executes it: MemoryDenyWriteExecute=yes stops the JVM from starting.
        final String unit = Files.readString(UNIT);
        assertFalse(unit.lines().anyMatch(l -> l.strip().startsWith("MemoryDenyWriteExecute")), unit);
        assertEquals(INSTALLED_LAUNCHER + " run /etc/portgate/portgate.yaml", setting("ExecStart"));
        assertEquals("exec", setting("Type"));
    }

    /**
     * Runs {@code systemd-analyze verify}, or skips the test where it is missing.
     *
     * @param unit      the unit file.
     * @param manPages  whether to check the unit's {@code Documentation=man:} pages too.
     * @param env       variables added (MANPATH, say).
     * @return its exit status and everything it printed.
     */
    static Ran verify(final Path unit, final boolean manPages, final Map<String, String> env)
        throws IOException, InterruptedException
    {
        final Path analyze = Path.of("/usr/bin/systemd-analyze");
        Assumptions.assumeTrue(Files.isExecutable(analyze),
            "systemd-analyze is not installed here (Debian: apt-get install systemd), so the unit cannot be verified");
        final List<String> command = new ArrayList<>(List.of(analyze.toString(), "verify"));
        if (!manPages)
        {
            command.add("--man=no");
        }
        command.add(unit.toString());
        final ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        final Process p = pb.start();
        final String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "systemd-analyze verify did not end: " + output);
        return new Ran(p.exitValue(), output);
    }

    /**
     * A copy of the unit whose ExecStart runs {@code launcher} (verify insists that the program exists), in a
     * directory of its own.
     *
     * @param launcher the program in place of {@value #INSTALLED_LAUNCHER}.
     * @return the copy, named portgate.service.
     */
    Path unitWithLauncher(final Path launcher) throws IOException
    {
        final String unit = Files.readString(UNIT);
        assertTrue(unit.contains("ExecStart=" + INSTALLED_LAUNCHER + " "), unit);
        final Path copy = Files.createDirectories(dir.resolve("unit")).resolve("portgate.service");
        Files.writeString(copy, unit.replace(INSTALLED_LAUNCHER, launcher.toString()));
        return copy;
    }

    private Path executableStub() throws IOException
    {
        final Path stub = dir.resolve("portgate");
        Files.writeString(stub, "#!/bin/sh\nexit 0\n");
        Files.setPosixFilePermissions(stub, PosixFilePermissions.fromString("rwxr-xr-x"));
        return stub;
    }

    /** The value of a setting of the unit; each is set once. */
    static String setting(final String key) throws IOException
    {
        final List<String> values = Files.readAllLines(UNIT).stream()
            .map(String::strip)
            .filter(l -> l.startsWith(key + "="))
            .map(l -> l.substring(key.length() + 1))
            .toList();
        assertEquals(1, values.size(), key + " should be set once in " + UNIT + ": " + values);
        return values.getFirst();
    }

    private static ConfigLoader.Result loadExample(final HostFacts host)
    {
        return ConfigLoader.load(CONFIG, host);
    }

    /** The machine as the service sees it: the same, plus CAP_NET_BIND_SERVICE from AmbientCapabilities. */
    private static HostFacts capable(final HostFacts host)
    {
        return new HostFacts.Delegating(host)
        {
            @Override
            public boolean canBindPrivilegedPorts()
            {
                return true;
            }

            @Override
            public long openFileLimit()
            {
                // The unit's LimitNOFILE, which the service runs under whatever this shell's limit is.
                try
                {
                    return Long.parseLong(setting("LimitNOFILE"));
                }
                catch (final IOException ex)
                {
                    throw new java.io.UncheckedIOException(ex);
                }
            }
        };
    }
}
