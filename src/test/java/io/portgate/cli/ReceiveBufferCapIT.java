package io.portgate.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A UDP listener's receive buffer capped by the host's real {@code net.core.rmem_max}: {@code ./portgate run}, without
 * CAP_NET_ADMIN (dropped with {@code setpriv}) so that it cannot force the buffer past the cap, says so at start in
 * one warning line per listener, however many sockets it opens, naming the sysctl that lifts the cap.
 */
@EnabledOnOs(OS.LINUX)
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ReceiveBufferCapIT
{
    @TempDir
    Path dir;

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void close() throws Exception
    {
        for (final AutoCloseable c : open.reversed())
        {
            c.close();
        }
    }

    @Test
    void aCappedReceiveBufferIsReportedOnceNamingTheSysctl() throws Exception
    {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "setpriv (util-linux) is not installed");
        final long rmemMax = Long.parseLong(Files.readAllLines(Path.of("/proc/sys/net/core/rmem_max")).getFirst()
            .trim());
        final long wanted = Math.max(64L << 20, rmemMax * 2);
        assumeTrue(wanted <= Integer.MAX_VALUE, "net.core.rmem_max is too large to exceed: " + rmemMax);
        final DatagramChannel target = DatagramChannel.open(StandardProtocolFamily.INET)
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        open.add(target);
        final Path config = dir.resolve("portgate.yaml");
        Files.writeString(config, """
            workers: 2
            metrics-file: %s
            drain-timeout: 1s
            listeners:
              - name: dns
                protocol: udp
                bind: 127.0.0.1:%d
                pool: dns
                receive-buffer: %d
            pools:
              dns:
                targets: [127.0.0.1:%d]
            """.formatted(dir.resolve("portgate.metrics"), NonEphemeralPort.free(), wanted,
            ((InetSocketAddress)target.getLocalAddress()).getPort()));
        final PortgateProcess portgate = PortgateProcess.start(
            List.of("setpriv", "--bounding-set=-net_admin", "--inh-caps=-net_admin"), Map.of(), "run",
            config.toString());
        open.add(portgate);
        portgate.awaitOut(l -> l.startsWith("portgate: running"), Duration.ofSeconds(60));
        final List<String> warnings = portgate.err().lines().filter(l -> l.contains("net.core.rmem_max")).toList();
        assertEquals(1, warnings.size(), "one line for the listener's two sockets: " + portgate.err());
        final String warning = warnings.getFirst();
        assertTrue(warning.contains("listener 'dns': its UDP receive buffer is " + rmemMax + " bytes, not the " +
            wanted + " asked for: net.core.rmem_max (" + rmemMax + ") caps it"), warning);
        assertTrue(warning.contains("sysctl -w net.core.rmem_max=" + wanted), warning);
        portgate.signal("TERM");
        assertEquals(0, portgate.await(Duration.ofSeconds(60)).status(), portgate.toString());
    }
}
