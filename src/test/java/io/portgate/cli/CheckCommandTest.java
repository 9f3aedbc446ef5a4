package io.portgate.cli;

import io.portgate.config.HostFacts;
import io.portgate.config.PortRange;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code portgate check} on bad configurations: every validation class, each asserting the exit status and the key
 * part of the message with its line and column.
 */
class CheckCommandTest
{
    @TempDir
    static Path dir;

    @BeforeAll
    static void fixedHost()
    {
        ConfigFile.hostFacts = new TestHostFacts();
    }

    @AfterAll
    static void realHost()
    {
        ConfigFile.hostFacts = HostFacts.system();
    }

    /**
     * A bad configuration and what check must say about it.
     *
     * @param name     what it tests.
     * @param yaml     the file.
     * @param status   the exit status.
     * @param location {@code line:column} of the finding.
     * @param fragment the key part of the message.
     */
    record Case(String name, String yaml, int status, String location, String fragment)
    {
        @Override
        public String toString()
        {
            return name;
        }
    }

    /** The machine's own range, as the kernel reports it. */
    private static final PortRange EPHEMERAL = HostFacts.system().ephemeralPorts();

    private static final String POOL_WEB = """
        pools:
          web:
            port: 9000
            targets:
              - 127.0.0.1
        """;

    private static String listener(final String bind)
    {
        return """
            listeners:
              - name: web
                protocol: tcp
                bind: %s
                pool: web
            """.formatted(bind);
    }

    static Stream<Case> badConfigurations()
    {
        return Stream.of(
            new Case("unknown top-level key", """
                listener:
                  - name: web
                """ + POOL_WEB, 2, "1:1", "error: unknown key 'listener' in the configuration; did you mean 'listeners'?"),
            new Case("unknown listener key", """
                listeners:
                  - name: web
                    bnd: 127.0.0.1:8080
                    pool: web
                """ + POOL_WEB, 2, "3:5", "unknown key 'bnd' in listener #1; did you mean 'bind'?"),
            new Case("unknown pool key", listener("127.0.0.1:8080") + """
                pools:
                  web:
                    port: 9000
                    targetz:
                      - 127.0.0.1
                """, 2, "9:5", "unknown key 'targetz' in pool 'web'; did you mean 'targets'?"),
            new Case("unknown health key", listener("127.0.0.1:8080") + POOL_WEB + """
                    health:
                      intervall: 2s
                """, 2, "12:7", "unknown key 'intervall' in pool 'web' health; did you mean 'interval'?"),
            new Case("workers not a number", "workers: two\n" + listener("127.0.0.1:8080") + POOL_WEB, 2, "1:10",
                "workers must be a whole number, found 'two'"),
            new Case("targets not a list", listener("127.0.0.1:8080") + """
                pools:
                  web:
                    port: 9000
                    targets: 127.0.0.1
                """, 2, "9:14", "pool 'web' targets must be a list"),
            new Case("listeners not a list", """
                listeners:
                  web:
                    bind: 127.0.0.1:8080
                """ + POOL_WEB, 2, "2:3", "listeners must be a list"),
            new Case("bind port above 65535", listener("127.0.0.1:70000") + POOL_WEB, 2, "4:11",
                "port 70000 is outside 1-65535"),
            new Case("pool port zero", listener("127.0.0.1:8080") + """
                pools:
                  web:
                    port: 0
                    targets:
                      - 127.0.0.1
                """, 2, "8:11", "pool 'web' port: port 0 is outside 1-65535"),
            new Case("target port above 65535", listener("127.0.0.1:8080") + """
                pools:
                  web:
                    port: 9000
                    targets:
                      - 127.0.0.1:65536
                """, 2, "10:9", "port 65536 is outside 1-65535"),
            new Case("health port zero", listener("127.0.0.1:8080") + POOL_WEB + """
                    health:
                      port: 0
                """, 2, "12:13", "pool 'web' health port: port 0 is outside 1-65535"),
            new Case("backwards port range", listener("127.0.0.1:9010-9000") + POOL_WEB, 2, "4:11",
                "runs backwards; write it low-high, e.g. 9000-9010"),
            new Case("two listeners on the same port", """
                listeners:
                  - name: web
                    bind: 127.0.0.1:8080
                    pool: web
                  - name: web2
                    bind: 127.0.0.1:8080
                    pool: web
                """ + POOL_WEB, 2, "6:11",
                "listener 'web2' (tcp 127.0.0.1:8080) overlaps listener 'web' (tcp 127.0.0.1:8080) (line 3)"),
            new Case("wildcard listener overlaps a specific address", """
                listeners:
                  - name: web
                    bind: 127.0.0.1:8080
                    pool: web
                  - name: all
                    bind: 0.0.0.0:8080
                    pool: web
                """ + POOL_WEB, 2, "6:11", "listener 'all' (tcp 0.0.0.0:8080) overlaps listener 'web'"),
            new Case("port range overlaps a port", """
                listeners:
                  - name: range
                    bind: 127.0.0.1:8000-8010
                    pool: web
                  - name: web
                    bind: 127.0.0.1:8005
                    pool: web
                """ + POOL_WEB, 2, "6:11", "listener 'web' (tcp 127.0.0.1:8005) overlaps listener 'range'"),
            new Case("IPv6 wildcard overlaps IPv4", """
                listeners:
                  - name: v4
                    protocol: udp
                    bind: 127.0.0.1:5000
                    pool: web
                  - name: v6
                    protocol: udp
                    bind: "[::]:5000"
                    pool: web
                """ + POOL_WEB, 2, "8:11", "listener 'v6' (udp [::]:5000) overlaps listener 'v4'"),
            new Case("missing pool", """
                listeners:
                  - name: web
                    bind: 127.0.0.1:8080
                    pool: wbe
                """ + POOL_WEB, 2, "4:11", "listener 'web' forwards to pool 'wbe', which does not exist; " +
                "did you mean 'web'?"),
            new Case("unused pool", listener("127.0.0.1:8080") + POOL_WEB + """
                  spare:
                    port: 9100
                    targets:
                      - 127.0.0.1
                """, 1, "11:3", "warning: pool 'spare' is not used by any listener"),
            new Case("target is the listener itself", listener("127.0.0.1:8080") + """
                pools:
                  web:
                    port: 8080
                    targets:
                      - 127.0.0.1
                """, 2, "10:9", "target 127.0.0.1:8080 of pool 'web' is the balancer's own listener 'web' " +
                "(tcp 127.0.0.1:8080): traffic would loop"),
            new Case("target loops through a wildcard listener", listener("0.0.0.0:8080") + """
                pools:
                  web:
                    port: 9000
                    targets:
                      - 10.1.1.1:8080
                """, 2, "10:9", "target 10.1.1.1:8080 of pool 'web' is the balancer's own listener 'web'"),
            new Case("duplicate targets", listener("127.0.0.1:8080") + """
                pools:
                  web:
                    port: 9000
                    targets:
                      - 127.0.0.1
                      - 127.0.0.1:9000
                """, 2, "11:9", "pool 'web' lists target 127.0.0.1:9000 twice (line 10)"),
            new Case("privileged port without the capability", listener("127.0.0.1:80") + POOL_WEB, 2, "4:11",
                "binds port 80, below 1024, and this process lacks the CAP_NET_BIND_SERVICE capability"),
            new Case("listener in the ephemeral range", listener("127.0.0.1:" + EPHEMERAL.first()) + POOL_WEB, 1,
                "4:11", "warning: listener 'web' port " + EPHEMERAL.first() + " lies in the kernel's ephemeral port " +
                "range " + EPHEMERAL),
            new Case("UDP listener probed by TCP on the traffic port", """
                listeners:
                  - name: dns
                    protocol: udp
                    bind: 127.0.0.1:5353
                    pool: web
                """ + POOL_WEB + """
                    health:
                      protocol: tcp
                """, 2, "12:7", "pool 'web' serves udp listener 'dns' but its health probe is tcp on the " +
                "traffic port 9000"),
            new Case("TCP listener probed by UDP on the traffic port", listener("127.0.0.1:8080") + POOL_WEB + """
                    health:
                      protocol: udp
                """, 2, "12:7", "pool 'web' serves tcp listener 'web' but its health probe is udp"),
            new Case("weight zero", listener("127.0.0.1:8080") + """
                pools:
                  web:
                    port: 9000
                    targets:
                      - address: 127.0.0.1
                        weight: 0
                """, 2, "11:17", "target 127.0.0.1:9000 of pool 'web' has weight 0"),
            new Case("negative weight", listener("127.0.0.1:8080") + """
                pools:
                  web:
                    port: 9000
                    balance: weighted
                    targets:
                      - address: 127.0.0.1
                        weight: -2
                """, 2, "12:17", "has weight -2"),
            new Case("weight too large", listener("127.0.0.1:8080") + """
                pools:
                  web:
                    port: 9000
                    targets:
                      - address: 127.0.0.1
                        weight: 1000000
                """, 2, "11:17", "has weight 1000000, above the largest weight 10000"),
            new Case("range lengths differ", listener("127.0.0.1:30000-30009") + """
                pools:
                  web:
                    port: 8000-8004
                    targets:
                      - 127.0.0.1
                """, 2, "4:11", "listener 'web' binds 10 ports (30000-30009) but pool 'web' has 5 ports " +
                "(8000-8004)"),
            new Case("one port onto a range", listener("127.0.0.1:8080") + """
                pools:
                  web:
                    port: 8000-8004
                    targets:
                      - 127.0.0.1
                """, 2, "4:11", "binds 1 port (8080) but pool 'web' has 5 ports (8000-8004)"),
            new Case("target range length differs", listener("127.0.0.1:30000-30009") + """
                pools:
                  web:
                    targets:
                      - 127.0.0.1:8000-8001
                """, 2, "9:9", "target 127.0.0.1:8000-8001 of pool 'web' has 2 ports but listener 'web' binds " +
                "10 ports"),
            new Case("misspelt protocol", listener("127.0.0.1:8080").replace("protocol: tcp", "protocol: tpc") +
                POOL_WEB, 2, "3:15", "listener 'web' protocol 'tpc' is not one of tcp, udp; did you mean 'tcp'?"),
            new Case("misspelt balance", listener("127.0.0.1:8080") + """
                pools:
                  web:
                    port: 9000
                    balance: roundrobin
                    targets:
                      - 127.0.0.1
                """, 2, "9:14", "did you mean 'round-robin'?"),
            new Case("duration without a unit", listener("127.0.0.1:8080") + POOL_WEB + """
                    health:
                      interval: 2
                """, 2, "12:17", "duration '2' has no unit; write e.g. 2s or 2ms"),
            new Case("bad size", listener("127.0.0.1:8080") + "    buffer-size: 64q\n" + POOL_WEB, 2, "6:18",
                "'64q' is not a size"),
            new Case("IPv6 with a port but no brackets", listener("\"::1:8080\"") + POOL_WEB, 2, "4:11",
                "looks like an IPv6 address without a port; put the address in brackets"),
            new Case("duplicate key", """
                listeners:
                  - name: web
                    bind: 127.0.0.1:8080
                    bind: 127.0.0.1:8081
                    pool: web
                """ + POOL_WEB, 2, "4:5", "listener #1 has 'bind' twice (first at line 3)"),
            new Case("not YAML", "listeners:\n  - name: web\n   bind: [127.0.0.1\n", 2, "3:4",
                "the file is not valid YAML"),
            new Case("listener without bind", """
                listeners:
                  - name: web
                    pool: web
                """ + POOL_WEB, 2, "2:5", "listener 'web' has no 'bind:'"),
            new Case("two listeners with one name", """
                listeners:
                  - name: web
                    bind: 127.0.0.1:8080
                    pool: web
                  - name: web
                    bind: 127.0.0.1:8081
                    pool: web
                """ + POOL_WEB, 2, "5:5", "two listeners are named 'web' (line 2)"),
            new Case("admin open to the network without a token",
                "admin: 0.0.0.0:9990\n" + listener("127.0.0.1:8080") + POOL_WEB, 2, "1:8",
                "admin binds 0.0.0.0:9990, which is not loopback, and no admin-token is set"),
            new Case("target without any port", listener("127.0.0.1:8080") + """
                pools:
                  web:
                    targets:
                      - 127.0.0.1
                """, 2, "9:9", "target 127.0.0.1 of pool 'web' has no port, and the pool has no 'port:'"),
            new Case("health timeout longer than interval", listener("127.0.0.1:8080") + POOL_WEB + """
                    health:
                      interval: 1s
                      timeout: 2s
                """, 1, "12:7", "warning: pool 'web' health timeout 2s is longer than its interval 1s"),
            new Case("UDP-only key on a TCP listener", listener("127.0.0.1:8080") + "    affinity: client\n" +
                POOL_WEB, 1, "6:5", "warning: listener 'web' is tcp but sets 'affinity'"),
            new Case("empty file", "", 2, "1:1", "the file is empty"),
            new Case("health port range", listener("127.0.0.1:8080") + POOL_WEB + """
                    health:
                      port: 8100-8101
                """, 2, "12:13", "pool 'web' health port must be one port, not a range"),
            new Case("bind address not on this host", listener("10.9.9.9:8080") + POOL_WEB, 2, "4:11",
                "listener 'web' binds 10.9.9.9, which is not an address of this host, so it cannot listen there; " +
                    "use one of this host's addresses: "),
            new Case("listener name with a newline", listener("127.0.0.1:8080").replace("name: web",
                "name: \"web\\nx\"") + POOL_WEB, 2, "2:5", "listener name 'web\\nx' holds a control character"),
            new Case("idle-timeout that overflows", listener("127.0.0.1:8080") + "    idle-timeout: 106752d\n" +
                POOL_WEB, 2, "6:19", "listener 'web' idle-timeout: duration '106752d' is longer than the largest " +
                "allowed, 365d"),
            new Case("IPv6 zone naming no interface of this host", listener("127.0.0.1:8080") + """
                pools:
                  web:
                    port: 9000
                    targets:
                      - "[fe80::2%nosuch]"
                """, 2, "10:9", "pool 'web' target: 'fe80::2%nosuch' names network interface 'nosuch', which this " +
                "host does not have; its interfaces: "),
            new Case("nesting too deep", "listeners: " + "[".repeat(10_000), 2, "1:61",
                "the file nests lists and mappings more than 50 levels deep"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badConfigurations")
    void reportsWhatIsWrongWhereAndExits(final Case c) throws IOException
    {
        final Path file = dir.resolve("bad.yaml");
        Files.writeString(file, c.yaml());
        final CliRun run = CliRun.of("check", file.toString());
        final String expectedPrefix = file + ":" + c.location() + ": ";
        assertEquals(c.status(), run.status(), run.all());
        assertTrue(run.out().lines().anyMatch(l -> l.startsWith(expectedPrefix) && l.contains(c.fragment())),
            () -> "expected a line starting '" + expectedPrefix + "' containing '" + c.fragment() + "' in:\n" +
                run.all());
    }

    @Test
    void thereAreAtLeastThirtyDistinctBadConfigurations()
    {
        final List<Case> cases = badConfigurations().toList();
        assertTrue(cases.size() >= 30);
        assertEquals(cases.size(), cases.stream().map(Case::yaml).distinct().count(), "every case is distinct");
    }

    @Test
    void cleanConfigurationExitsZero() throws IOException
    {
        final Path file = dir.resolve("good.yaml");
        Files.writeString(file, listener("127.0.0.1:8080") + POOL_WEB);
        final CliRun run = CliRun.of("check", file.toString());
        assertEquals(0, run.status(), run.all());
        assertTrue(run.out().contains("valid (1 listener, 1 pool, 1 target); 0 errors, 0 warnings, 0 notes"),
            run.out());
    }

    @Test
    void tcpAndUdpListenersMayShareAPort() throws IOException
    {
        final Path file = dir.resolve("shared-port.yaml");
        Files.writeString(file, """
            listeners:
              - name: dns-tcp
                protocol: tcp
                bind: 127.0.0.1:5353
                pool: dns
              - name: dns-udp
                protocol: udp
                bind: 127.0.0.1:5353
                pool: dns
            pools:
              dns:
                port: 10053
                targets:
                  - 127.0.0.1
                health:
                  protocol: tcp
                  port: 10053
            """);
        final CliRun run = CliRun.of("check", file.toString());
        assertEquals(0, run.status(), run.all());
    }

    @Test
    void jsonReportCarriesEveryDiagnosticWithItsPosition() throws IOException
    {
        final Path file = dir.resolve("json.yaml");
        Files.writeString(file, listener("127.0.0.1:8080").replace("pool: web", "pool: wbe") + POOL_WEB);
        final CliRun run = CliRun.of("check", file.toString(), "--format", "json");
        assertEquals(2, run.status(), run.all());
        assertTrue(run.out().contains("\"valid\": false"), run.out());
        assertTrue(run.out().contains("\"line\": 5"), run.out());
        assertTrue(run.out().contains("\"column\": 11"), run.out());
        assertTrue(run.out().contains("\"message\": \"listener 'web' forwards to pool 'wbe', which does not exist\""),
            run.out());
    }

    @Test
    void againstListsWhatWouldChange() throws IOException
    {
        final Path old = dir.resolve("old.yaml");
        Files.writeString(old, listener("127.0.0.1:8080") + POOL_WEB);
        final Path now = dir.resolve("new.yaml");
        Files.writeString(now, listener("127.0.0.1:8080") + POOL_WEB + "      - 127.0.0.2\n");
        final CliRun run = CliRun.of("check", now.toString(), "--against", old.toString());
        assertEquals(0, run.status(), run.all());
        assertTrue(run.out().contains("Changes from " + old + ":\n  pool web: +target 127.0.0.2:9000"), run.out());
        final CliRun same = CliRun.of("check", old.toString(), "--against", old.toString());
        assertTrue(same.out().contains("No change from"), same.out());
    }

    @Test
    void missingFileIsAnError()
    {
        final CliRun run = CliRun.of("check", dir.resolve("nope.yaml").toString());
        assertEquals(2, run.status());
        assertTrue(run.out().contains("nope.yaml: error: no such file"), run.all());
    }

    @Test
    void unknownOptionIsAUsageError()
    {
        final CliRun run = CliRun.of("check", "--frmat", "json", "x.yaml");
        assertEquals(2, run.status());
        assertTrue(run.err().contains("Unknown option") && run.err().contains("'--frmat'"), run.err());
    }

    @Test
    void badFormatIsAnError() throws IOException
    {
        final Path file = dir.resolve("fmt.yaml");
        Files.writeString(file, listener("127.0.0.1:8080") + POOL_WEB);
        final CliRun run = CliRun.of("check", file.toString(), "--format", "xml");
        assertEquals(2, run.status());
        assertTrue(run.err().contains("--format 'xml' is not one of: text, json"), run.err());
    }
}
