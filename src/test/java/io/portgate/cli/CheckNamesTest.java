package io.portgate.cli;

import io.portgate.testing.DnsServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code portgate check} of targets written as host names, through an in-process DNS server on 127.0.0.1. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CheckNamesTest
{
    @TempDir
    Path dir;

    private DnsServer dns;
    private ServerSocket target;

    @BeforeEach
    void start() throws IOException
    {
        dns = DnsServer.start();
        target = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    }

    @AfterEach
    void stop() throws IOException
    {
        target.close();
        dns.close();
    }

    private Path config(final String targets) throws IOException
    {
        final Path file = dir.resolve("names.yaml");
        Files.writeString(file, """
            max-connections: 1000
            resolvers: ["%s"]
            listeners:
              - name: web
                bind: 127.0.0.1:%d
                pool: web
            pools:
              web:
                port: %d
                targets: [%s]
            """.formatted(dns.text(), CheckLiveTest.freeBelowEphemeral(true), target.getLocalPort(), targets));
        return file;
    }

    @Test
    void aNameThatResolvesIsValidAndEveryAddressIsNoted() throws IOException
    {
        dns.set("web.portgate.test", "127.0.0.2", "127.0.0.1");
        final Path file = config("web.portgate.test");

        final CliRun r = CliRun.of("check", file.toString());

        assertEquals(0, r.status(), r.all());
        assertTrue(r.out().contains(file + ":10:15: note: pool 'web' target 'web.portgate.test:" +
            target.getLocalPort() + "': host name 'web.portgate.test' resolves to 2 addresses (127.0.0.1, " +
            "127.0.0.2); the balancer forwards this target's traffic to the first, 127.0.0.1"), r.all());
        assertTrue(r.out().contains("valid (1 listener, 1 pool, 1 target)"), r.out());
        assertEquals(2, dns.questionsAbout("web.portgate.test"), "asked through resolvers:");
    }

    @Test
    void aNameThatDoesNotResolveIsAWarningWithTheReasonAndExitsOne() throws IOException
    {
        final Path file = config("10.0.0.1, nothing.portgate.test");

        final CliRun r = CliRun.of("check", file.toString());

        assertEquals(1, r.status(), r.all());
        assertTrue(r.out().contains(file + ":10:25: warning: pool 'web' target 'nothing.portgate.test:" +
            target.getLocalPort() + "': host name 'nothing.portgate.test' does not resolve: NXDOMAIN: no such " +
            "name; asked " + dns.text()), r.all());
        assertTrue(r.out().contains("valid (1 listener, 1 pool, 2 targets); 0 errors, 1 warning"), r.out());
    }

    @Test
    void liveListsEveryRecordWithItsTtlAndRequestsEveryAddress() throws IOException
    {
        dns.set("web.portgate.test", List.of(new DnsServer.Rr(InetAddress.ofLiteral("127.0.0.1"), 42),
            new DnsServer.Rr(InetAddress.ofLiteral("127.0.0.2"), 42)));
        dns.set("gone.portgate.test", "127.0.0.3").behave("gone.portgate.test", DnsServer.Behaviour.SERVFAIL);
        // Only 127.0.0.1 listens on the port: 127.0.0.2 is refused, which only a request to it can show.
        final Path file = config("web.portgate.test, gone.portgate.test");

        final CliRun r = CliRun.of("check", "--live", file.toString());

        assertEquals(1, r.status(), r.all());
        final List<String> lines = r.out().lines().toList();
        assertTrue(lines.contains("Host names of targets, looked up through " + dns.text() + ":"), r.out());
        assertTrue(lines.stream().anyMatch(l -> l.matches("web\\.portgate\\.test +web +resolved +A +127\\.0\\.0\\.1 " +
            "+42s")), r.out());
        assertTrue(lines.stream().anyMatch(l -> l.matches(" +A +127\\.0\\.0\\.2 +42s")), r.out());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("gone.portgate.test") && l.contains("servfail") &&
            l.contains("SERVFAIL: the resolver could not answer")), r.out());
        assertTrue(r.out().contains("1 of 2 host names did not resolve"), r.out());
        final int port = target.getLocalPort();
        assertTrue(lines.stream().anyMatch(l -> l.contains("127.0.0.1:" + port + " ") && l.contains("reachable")),
            r.out());
        assertTrue(lines.stream().anyMatch(l -> l.contains("127.0.0.2:" + port + " ") && l.contains("refused")),
            r.out());
    }

    @Test
    void liveJsonCarriesTheRecords() throws IOException
    {
        dns.set("web.portgate.test", List.of(new DnsServer.Rr(InetAddress.ofLiteral("127.0.0.1"), 42),
            new DnsServer.Rr(InetAddress.ofLiteral("::1"), 7)));
        final Path file = config("web.portgate.test");

        final CliRun r = CliRun.of("check", "--live", "--format", "json", file.toString());

        final String json = r.out().replaceAll("\\s+", "");
        assertTrue(json.contains("\"names\":[{\"name\":\"web.portgate.test\",\"pools\":[\"web\"],\"result\":" +
            "\"resolved\",\"resolver\":\"" + dns.text() + "\",\"reason\":null,\"records\":[{\"type\":\"A\"," +
            "\"address\":\"127.0.0.1\",\"ttl\":42},{\"type\":\"AAAA\",\"address\":\"::1\",\"ttl\":7}]}]"), r.out());
    }
}
