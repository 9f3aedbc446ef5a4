package io.portgate.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * IPv6 addresses as {@code ./portgate} prints them in its tables, findings and log lines: RFC 5952's short form
 * ({@code [::1]}), however the file wrote them.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class Ipv6PrintingIT
{
    @TempDir
    Path dir;

    private Path config(final int listen, final String extra) throws Exception
    {
        final Path file = dir.resolve("v6.yaml");
        Files.writeString(file, """
            workers: 1
            metrics-file: %s
            listeners:
              - name: web
                bind: "[0:0:0:0:0:0:0:1]:%d"
                pool: web
                max-connections: 100
            %s
            pools:
              web:
                targets:
                  - "[0000::1]:9"
                  - "[2001:DB8:0:0:1:0:0:1]:9"
            """.formatted(dir.resolve("m"), listen, extra));
        return file;
    }

    @Test
    void portsPrintsTheShortForm() throws Exception
    {
        final int listen = NonEphemeralPort.free();
        final PortgateProcess.Result r = PortgateProcess.run("ports", config(listen, "").toString());
        assertEquals(0, r.status(), r.toString());
        assertTrue(r.out().contains("[::1]:" + listen), r.toString());
        assertTrue(r.out().contains("[::1]:9"), r.toString());
        assertTrue(r.out().contains("[2001:db8::1:0:0:1]:9"), r.toString());
        assertFalse(r.out().contains("0:0:0"), r.toString());

        final PortgateProcess.Result json = PortgateProcess.run("ports", config(listen, "").toString(), "--format",
            "json");
        assertTrue(json.out().contains("\"externalAddress\": \"[::1]\""), json.toString());
        assertFalse(json.out().contains("0:0:0"), json.toString());
    }

    @Test
    void checkPrintsTheShortForm() throws Exception
    {
        final int listen = NonEphemeralPort.free();
        final PortgateProcess.Result r = PortgateProcess.run("check", config(listen, """
              - name: all
                bind: "[0::0]:%d"
                pool: web
                max-connections: 100
            """.formatted(listen)).toString());
        assertEquals(2, r.status(), r.toString());
        assertTrue(r.out().contains("listener 'all' (tcp [::]:" + listen + ") overlaps listener 'web' (tcp [::1]:" +
            listen + ")"), r.toString());
        assertFalse(r.out().contains("0:0:0"), r.toString());
    }

    @Test
    void runLogsTheShortForm() throws Exception
    {
        final int listen = NonEphemeralPort.free();
        try (PortgateProcess p = PortgateProcess.start(Map.of(), "run", config(listen, "").toString()))
        {
            final String listening = p.awaitOut(l -> l.startsWith("portgate: listener 'web'"), Duration.ofSeconds(60));
            assertEquals("portgate: listener 'web' tcp [::1]:" + listen + " -> pool 'web'", listening);
            // Port 9 on loopback refuses: the first connection marks a target down, and the log names it short.
            try (java.net.Socket client = new java.net.Socket(java.net.InetAddress.ofLiteral("::1"), listen))
            {
                client.setSoTimeout(10_000);
                client.getInputStream().read();
            }
            catch (final java.io.IOException reset)
            {
                // the connection is closed: no target answered
            }
            p.signal("TERM");
            final PortgateProcess.Result r = p.await(Duration.ofSeconds(30));
            assertFalse((r.out() + r.err()).contains("0:0:0"), r.toString());
        }
    }
}
