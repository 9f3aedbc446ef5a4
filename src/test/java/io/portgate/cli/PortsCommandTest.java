package io.portgate.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PortsCommandTest
{
    private static final String CONFIG = """
        listeners:
          - name: web
            protocol: tcp
            bind: 127.0.0.1:8080
            pool: web
          - name: game
            protocol: udp
            bind: 127.0.0.1:30000-30009
            pool: game
        pools:
          web:
            port: 9000
            balance: least-conn
            targets:
              - 127.0.0.1
              - address: 127.0.0.2:9001
                weight: 3
            health:
              protocol: http
              port: 9100
          game:
            port: 8000-8009
            balance: maglev
            targets:
              - 127.0.0.1
            health:
              protocol: udp
        """;

    @TempDir
    Path dir;

    private Path config() throws IOException
    {
        final Path file = dir.resolve("ports.yaml");
        Files.writeString(file, CONFIG);
        return file;
    }

    @Test
    void textTableShowsEveryMapping() throws IOException
    {
        final CliRun run = CliRun.of("ports", config().toString());
        assertEquals(0, run.status(), run.all());
        final String[] lines = run.out().split("\n");
        assertTrue(lines[0].matches("LISTENER +PROTO +EXTERNAL +POOL +BALANCE +TARGET +WEIGHT +HEALTH"), lines[0]);
        assertTrue(lines[1].matches("web +tcp +127\\.0\\.0\\.1:8080 +-> +web +least-conn +127\\.0\\.0\\.1:9000 +1 +" +
            "http:9100 \\(health port\\)"), lines[1]);
        assertTrue(lines[2].matches("web +tcp +127\\.0\\.0\\.1:8080 +-> +web +least-conn +127\\.0\\.0\\.2:9001 +3 +" +
            "http:9100 \\(health port\\)"), lines[2]);
        assertTrue(lines[3].matches("game +udp +127\\.0\\.0\\.1:30000-30009 +-> +game +maglev +" +
            "127\\.0\\.0\\.1:8000-8009 +1 +udp:8000"), lines[3]);
        assertTrue(run.out().contains("Note: 2 targets are probed on a health port other than their traffic port"));
    }

    @Test
    void showsEachListenersRulesAndLimitsAndWhichPoolsSendProxyHeaders() throws IOException
    {
        final Path file = dir.resolve("access.yaml");
        Files.writeString(file, CONFIG
            .replace("    pool: web\n", "    pool: web\n    accept-proxy: v2\n    trusted-proxies: [10.0.0.10/32]\n" +
                "    deny: [192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 10.9.0.0/16, 10.8.0.0/16]\n" +
                "    max-connections-per-source: 5\n    connection-rate-per-source: 100/s\n")
            .replace("    pool: game\n", "    pool: game\n    max-flows-per-source: 3\n")
            .replace("    balance: maglev\n", "    balance: maglev\n    send-proxy: v2\n"));
        final CliRun run = CliRun.of("ports", file.toString());
        assertEquals(0, run.status(), run.all());
        assertTrue(run.out().contains("Access:\n" +
            "  listener web: accept-proxy v2 from 10.0.0.10/32; deny 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24 " +
            "and 2 more; per source: 5 connections, 100 connections/s\n" +
            "  listener game: per source: 3 flows\n" +
            "  pool game: sends a PROXY v2 header to its targets\n"), run.out());
        final CliRun json = CliRun.of("ports", file.toString(), "--format", "json");
        assertTrue(json.out().contains("\"sendProxy\": \"v2\""), json.out());
        assertTrue(json.out().contains("\"access\": \"per source: 3 flows\""), json.out());
        // Without any rule the port map is printed as before.
        assertFalse(CliRun.of("ports", config().toString()).out().contains("Access:"));
    }

    @Test
    void markdownTable() throws IOException
    {
        final CliRun run = CliRun.of("ports", config().toString(), "--format", "markdown");
        assertEquals(0, run.status(), run.all());
        final String[] lines = run.out().split("\n");
        assertEquals("| LISTENER | PROTO | EXTERNAL | TO | POOL | BALANCE | TARGET | WEIGHT | HEALTH |", lines[0]);
        assertEquals("|---|---|---|---|---|---|---|---|---|", lines[1]);
        assertEquals("| game | udp | 127.0.0.1:30000-30009 | -> | game | maglev | 127.0.0.1:8000-8009 | 1 | udp:8000 |",
            lines[4]);
    }

    @Test
    void json() throws IOException
    {
        final CliRun run = CliRun.of("ports", config().toString(), "--format", "json");
        assertEquals(0, run.status(), run.all());
        assertTrue(run.out().contains("\"internalPorts\": \"8000-8009\""), run.out());
        assertTrue(run.out().contains("\"externalPorts\": \"30000-30009\""), run.out());
        assertTrue(run.out().contains("\"healthPort\": 9100"), run.out());
        assertTrue(run.out().contains("\"healthOnOtherPort\": true"), run.out());
        assertEquals(3, run.out().split("\"listener\"", -1).length - 1);
    }

    @Test
    void refusesAConfigurationWithErrors() throws IOException
    {
        final Path file = dir.resolve("bad.yaml");
        Files.writeString(file, CONFIG.replace("pool: web", "pool: nope"));
        final CliRun run = CliRun.of("ports", file.toString());
        assertEquals(2, run.status());
        assertTrue(run.err().contains("bad.yaml:5:11: error: listener 'web' forwards to pool 'nope'"), run.err());
        assertEquals("", run.out());
    }

    @Test
    void helpAndVersion()
    {
        final CliRun help = CliRun.of("--help");
        assertEquals(0, help.status());
        assertTrue(help.out().contains("check") && help.out().contains("ports"), help.out());
        final CliRun version = CliRun.of("--version");
        assertEquals(0, version.status());
        assertTrue(version.out().startsWith("portgate "), version.out());
        final CliRun unknown = CliRun.of("chek");
        assertEquals(2, unknown.status());
        assertTrue(unknown.err().contains("check"), "suggests the closest command: " + unknown.err());
    }
}
