package io.portgate.cli;

import io.portgate.Portgate;
import io.portgate.config.ConfigLoader;
import io.portgate.config.HostFacts;
import io.portgate.testing.DnsServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code portgate ports CONFIG --live} with a target named by host name: one row per address the running balancer
 * looked the name up to (the file loads with the first only), each saying which name it came from.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PortsLiveNamesTest
{
    private static final String NAME = "web.portgate.test";

    @TempDir
    Path dir;

    @Test
    void everyAddressOfANameIsARowNamingIt() throws Exception
    {
        try (DnsServer dns = DnsServer.start(); ServerSocket free = new ServerSocket(0, 1,
            InetAddress.getLoopbackAddress()))
        {
            dns.set(NAME, "127.0.0.3", "127.0.0.2");
            final int listen = free.getLocalPort();
            free.close();
            final Path file = dir.resolve("names.yaml");
            Files.writeString(file, """
                workers: 1
                metrics-file: %s
                resolvers: ["%s"]
                listeners:
                  - name: web
                    bind: 127.0.0.1:%d
                    pool: web
                pools:
                  web:
                    port: 9000
                    resolve-interval: 100ms
                    targets: [%s, 127.0.0.1]
                """.formatted(dir.resolve("names.metrics"), dns.text(), listen, NAME));
            try (Portgate portgate = Portgate.start(ConfigLoader.load(file, HostFacts.system()).orThrow()))
            {
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                CliRun run = CliRun.of("ports", file.toString(), "--live");
                while (!run.out().contains("127.0.0.3:9000 (" + NAME + ")") && System.nanoTime() - deadline < 0)
                {
                    Thread.sleep(50);
                    run = CliRun.of("ports", file.toString(), "--live");
                }
                assertEquals(0, run.status(), run.all());
                assertTrue(run.out().lines().anyMatch(l -> l.contains("127.0.0.2:9000 (" + NAME + ")") &&
                    l.contains(" up ")), run.out());
                assertTrue(run.out().lines().anyMatch(l -> l.contains("127.0.0.3:9000 (" + NAME + ")") &&
                    l.contains(" up ")), run.out());
                assertTrue(run.out().lines().anyMatch(l -> l.contains("127.0.0.1:9000 ") && !l.contains("127.0.0.1:9000 (")),
                    "a target written as an address names nothing: " + run.out());
                assertEquals(4, run.out().lines().count(), "a header and three targets: " + run.out());

                final CliRun json = CliRun.of("ports", file.toString(), "--live", "--format", "json");
                assertTrue(json.out().contains("\"target\": \"127.0.0.3\""), json.out());
                assertTrue(json.out().contains("\"name\": \"" + NAME + "\""), json.out());
                assertEquals(3, json.out().split("\"listener\"").length - 1, json.out());
            }
        }
    }
}
