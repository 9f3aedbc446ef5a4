package io.portgate.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * What check refuses that run would otherwise trip over: values past what works at run time, addresses that are not
 * this host's, names that break tables, files too large or too deep to read, and errors hidden behind others.
 */
class ConfigLimitsTest
{
    @TempDir
    Path dir;

    private static List<String> errors(final ConfigLoader.Result result)
    {
        return result.diagnostics().stream().filter(d -> d.severity() == Severity.ERROR).map(Diagnostic::format)
            .toList();
    }

    private static ConfigLoader.Result load(final String yaml)
    {
        return ConfigLoader.load("t.yaml", yaml, HostFacts.system());
    }

    private static final String POOL = """
        pools:
          p:
            port: 9000
            targets: [127.0.0.1]
        """;

    private static String listener(final String extra)
    {
        return """
            listeners:
              - name: web
                bind: 127.0.0.1:8080
                pool: p
            """ + extra + POOL;
    }

    private static void assertOneError(final ConfigLoader.Result result, final String expected)
    {
        assertEquals(List.of(expected), errors(result), result.diagnostics().toString());
    }

    @Test
    void durationsPastWhatRunCanTimeAreErrorsAtTheirPositionWithTheLargestAllowed()
    {
        assertOneError(load("drain-timeout: 106752d\n" + listener("")),
            "t.yaml:1:16: error: drain-timeout: duration '106752d' is longer than the largest allowed, 365d");
        assertOneError(load(listener("    idle-timeout: 106752d\n")),
            "t.yaml:5:19: error: listener 'web' idle-timeout: duration '106752d' is longer than the largest " +
                "allowed, 365d");
        assertOneError(load(listener("    connect-timeout: 9223372036854775807ns\n")),
            "t.yaml:5:22: error: listener 'web' connect-timeout: duration '9223372036854775807ns' is longer than " +
                "the largest allowed, 365d");
        assertOneError(load(listener("").replace("targets:", "slow-start: 13h\n    targets:")),
            "t.yaml:8:17: error: pool 'p' slow-start: duration '13h' is longer than the largest allowed, 12h");
        assertOneError(load(listener("") + "    health:\n      interval: 366d\n"),
            "t.yaml:10:17: error: pool 'p' health interval: duration '366d' is longer than the largest allowed, " +
                "365d");
        final ConfigLoader.Result largest = load("drain-timeout: 365d\n" + listener("""
                idle-timeout: 365d
                connect-timeout: 365d
            """).replace("targets:", "slow-start: 12h\n    targets:") + """
                health:
                  interval: 365d
                  timeout: 365d
            """);
        assertEquals(List.of(), errors(largest));
        assertEquals(Duration.ofDays(365), largest.config().listeners().getFirst().connectTimeout());
    }

    @Test
    void sizesAndNumbersPastTheirRangeNameTheLargest()
    {
        assertOneError(load("buffer-memory: 9999999999999999g\n" + listener("")),
            "t.yaml:1:16: error: buffer-memory: size '9999999999999999g' is larger than the largest allowed, 1024g");
        assertOneError(load("max-connections: 99999999999999999999\n" + listener("")),
            "t.yaml:1:18: error: max-connections is '99999999999999999999', outside 1-2147483647");
        assertOneError(load(listener("    buffer-size: 3g\n")),
            "t.yaml:5:18: error: listener 'web' buffer-size: size '3g' is larger than the largest allowed, " +
                "2147483647");
        assertOneError(load("buffer-memory: 64k\n" + listener("")),
            "t.yaml:3:5: error: listener 'web' buffer-size 64k needs 128k per connection (one buffer each way), " +
                "more than buffer-memory 64k for all of them: no connection could move a byte; raise buffer-memory, " +
                "or lower buffer-size");
    }

    @Test
    void configurationBuiltInCodeIsHeldToTheSameMaxima()
    {
        final PortgateConfig config = PortgateConfig.builder().drainTimeout(Duration.ofDays(106752))
            .listener(ListenerConfig.builder("web").bind("127.0.0.1:8080").pool("p")
                .connectTimeout(Duration.ofNanos(Long.MAX_VALUE)).build())
            .pool(PoolConfig.builder("p").port(9000).target(InetAddress.getLoopbackAddress())
                .slowStart(Duration.ofDays(2)).build())
            .build();
        final List<String> messages = ConfigValidator.validate(config, HostFacts.system()).stream()
            .filter(d -> d.severity() == Severity.ERROR).map(Diagnostic::message).toList();
        assertTrue(messages.contains("drain-timeout is 106752d, outside 0s-365d"), messages.toString());
        assertTrue(messages.contains("listener 'web' connect-timeout is 9223372036854775807ns, outside 1ns-365d"),
            messages.toString());
        assertTrue(messages.contains("pool 'p' slow-start is 2d, outside 0s-12h"), messages.toString());
    }

    @Test
    void aBindAddressThatIsNotThisHostsIsAnErrorListingItsAddresses()
    {
        final HostFacts host = HostFacts.system();
        assumeFalse(host.isLocalAddress(InetAddress.ofLiteral("10.9.9.9")), "this host has 10.9.9.9");
        assumeFalse(host.allowsNonLocalBind(InetAddress.ofLiteral("10.9.9.9")), "ip_nonlocal_bind is set");
        final ConfigLoader.Result result = load(listener("").replace("127.0.0.1:8080", "10.9.9.9:8080"));
        final String error = errors(result).getFirst();
        assertTrue(error.startsWith("t.yaml:3:11: error: listener 'web' binds 10.9.9.9, which is not an address of " +
            "this host, so it cannot listen there; use one of this host's addresses: "), error);
        for (final InetAddress address : host.localAddresses())
        {
            assertTrue(error.contains(Endpoint.literal(address)), address + " in " + error);
        }
        assertTrue(error.endsWith(", or 0.0.0.0 for all of them"), error);

        // A link-local address says which interface it is on; without one it cannot be bound.
        final String linkLocal = errors(load(listener("").replace("127.0.0.1:8080", "\"[fe80::1]:8080\"")))
            .getFirst();
        assertTrue(linkLocal.startsWith("t.yaml:3:11: error: listener 'web' binds [fe80::1], a link-local address, " +
            "without naming its interface; write it with its interface, e.g. [fe80::1%eth0]"), linkLocal);

        // Loopback addresses, the wildcards and the host's own addresses are fine.
        for (final String ok : List.of("127.0.0.2:8080", "0.0.0.0:8080", "\"[::]:8080\""))
        {
            assertEquals(List.of(), errors(load(listener("").replace("127.0.0.1:8080", ok))), ok);
        }
        for (final InetAddress address : host.localAddresses())
        {
            final String bind = "\"" + Endpoint.format(address, 8080) + "\"";
            assertEquals(List.of(), errors(load(listener("").replace("127.0.0.1:8080", bind))), bind);
        }
    }

    @Test
    void namesThatAreEmptyOrHoldControlCharactersAreErrors()
    {
        assertOneError(load(listener("").replace("name: web", "name: \"\"")),
            "t.yaml:2:5: error: a listener has an empty name; give it a name of letters, digits and dashes, e.g. web");
        assertOneError(load(listener("").replace("name: web", "name: \"web\\nport 1\"")),
            "t.yaml:2:5: error: listener name 'web\\nport 1' holds a control character (U+000A at position 4); names " +
                "appear in tables, logs and metric labels: use letters, digits, dashes and dots");
        final List<String> pool = errors(load(listener("").replace("pool: p", "pool: \"p\\tq\"")
            .replace("  p:\n", "  \"p\\tq\":\n")));
        assertEquals(List.of("t.yaml:6:3: error: pool name 'p\\tq' holds a control character (U+0009 at position 2); " +
            "names appear in tables, logs and metric labels: use letters, digits, dashes and dots"), pool);
        assertOneError(load(listener("").replace("pool: p", "pool: \"\"").replace("  p:\n", "  \"\":\n")),
            "t.yaml:6:3: error: a pool has an empty name; give it a name of letters, digits and dashes, e.g. web");
    }

    @Test
    void everyErrorOfAListenerIsReportedNotOnlyTheFirst()
    {
        final ConfigLoader.Result result = load("""
            listeners:
              - name: web
                bind: 127.0.0.1:8080
                pool: p
              - name: web
                bind: 127.0.0.1:0
                pool: nope
                idle-timeout: forever
                max-flows: 0
            """ + POOL);
        assertEquals(List.of(
            "t.yaml:5:5: error: two listeners are named 'web' (line 2); give each listener a unique name; metrics " +
                "and logs tell them apart by it",
            "t.yaml:6:11: error: listener 'web' bind: port 0 is outside 1-65535",
            "t.yaml:7:11: error: listener 'web' forwards to pool 'nope', which does not exist; define it under pools:, or use " +
                "one of: p",
            "t.yaml:8:19: error: listener 'web' idle-timeout: 'forever' is not a duration; write e.g. 250ms, 2s, " +
                "1m30s or 1h",
            "t.yaml:9:16: error: listener 'web' max-flows is 0, outside 1-16777216"), errors(result));

        final ConfigLoader.Result missing = load("""
            listeners:
              - name: ""
                protocol: tcpp
            """ + POOL);
        assertEquals(List.of(
            "t.yaml:2:5: error: listener '' has no 'bind:'; add bind: ADDRESS:PORT, e.g. 0.0.0.0:8080",
            "t.yaml:2:5: error: listener '' has no 'pool:'; name the pool it forwards to, e.g. pool: web",
            "t.yaml:2:5: error: a listener has an empty name; give it a name of letters, digits and dashes, e.g. web",
            "t.yaml:3:15: error: listener '' protocol 'tcpp' is not one of tcp, udp; did you mean 'tcp'?"),
            errors(missing));
    }

    @Test
    void aHugeValueIsQuotedShortInItsError()
    {
        final String huge = "a".repeat(3_000_000);
        final ConfigLoader.Result result = load(listener("").replace("127.0.0.1:8080", huge + ":8080")
            .replace("name: web", "name: " + huge.substring(0, 1_000_000)));
        final List<String> errors = errors(result);
        assertFalse(errors.isEmpty());
        for (final String error : errors)
        {
            assertTrue(error.length() < 600, () -> error.length() + " characters: " + error.substring(0, 600));
        }
        assertTrue(errors.stream().anyMatch(e -> e.contains("'" + "a".repeat(60) + "...' (3000000 characters)")),
            errors::toString);
    }

    @Test
    void aFileOverTheLimitIsRefusedWithoutBeingRead() throws Exception
    {
        // Sparse: 9 GiB that no disk holds and no heap could; refused from its size alone.
        final Path sparse = dir.resolve("huge.yaml");
        try (RandomAccessFile file = new RandomAccessFile(sparse.toFile(), "rw"))
        {
            file.setLength(9L << 30);
        }
        final ConfigLoader.Result result = ConfigLoader.load(sparse, HostFacts.system());
        assertNull(result.config());
        assertEquals(List.of(sparse + ": error: the file is 9663676416 bytes, more than the limit of 4194304 bytes " +
            "(4m); check that it is the configuration file; a configuration that large is not one a person can check"),
            errors(result));

        final Path justOver = dir.resolve("over.yaml");
        Files.writeString(justOver, "#".repeat(ConfigLoader.MAX_FILE_BYTES) + "\n");
        assertTrue(errors(ConfigLoader.load(justOver, HostFacts.system())).getFirst()
            .contains("the file is 4194305 bytes, more than the limit of 4194304 bytes (4m)"));
        final Path justUnder = dir.resolve("under.yaml");
        final String config = listener("");
        Files.writeString(justUnder, config + "#".repeat(ConfigLoader.MAX_FILE_BYTES - config.length() - 1) + "\n");
        assertEquals(List.of(), errors(ConfigLoader.load(justUnder, HostFacts.system())));
    }

    @Test
    void deepNestingIsAnErrorAtItsPositionNotAStackOverflow()
    {
        final ConfigLoader.Result flow = load("listeners: " + "[".repeat(10_000));
        assertEquals(List.of("t.yaml:1:" + (12 + ConfigParser.MAX_DEPTH - 1) + ": error: the file nests lists and " +
            "mappings more than 50 levels deep; a configuration is at most 5 levels deep (pools: NAME: targets: - " +
            "address:); check the brackets and indentation here"), errors(flow));

        final StringBuilder block = new StringBuilder();
        for (int depth = 0; depth < 2_000; depth++)
        {
            block.append(" ".repeat(depth)).append("k").append(depth).append(":\n");
        }
        final List<String> blockErrors = errors(load(block.toString()));
        assertEquals(1, blockErrors.size(), blockErrors.toString());
        assertTrue(blockErrors.getFirst().startsWith("t.yaml:51:51: error: the file nests lists and mappings more " +
            "than 50 levels deep"), blockErrors.getFirst());

        // As deep as the format goes, and deeper than it needs, is read.
        final String deepButAllowed = "x: " + "[".repeat(ConfigParser.MAX_DEPTH - 1) +
            "]".repeat(ConfigParser.MAX_DEPTH - 1) + "\n" + listener("");
        assertTrue(errors(load(deepButAllowed)).getFirst().contains("unknown key 'x'"));
    }

    @Test
    void duplicateTargetsAndLoopsAreFoundAmongManyTargets()
    {
        final StringBuilder yaml = new StringBuilder(listener("").replace("targets: [127.0.0.1]\n", "targets:\n"));
        final int n = 100_000;
        for (int i = 0; i < n; i++)
        {
            yaml.append("      - 10.").append(i >> 16 & 255).append('.').append(i >> 8 & 255).append('.')
                .append(i & 255).append('\n');
        }
        yaml.append("      - 10.0.0.7\n");
        yaml.append("      - 127.0.0.1:8080\n");
        final List<String> errors = errors(load(yaml.toString()));
        assertEquals(List.of(
            "t.yaml:" + (n + 9) + ":9: error: pool 'p' lists target 10.0.0.7:9000 twice (line 16); remove the " +
                "duplicate; to send it more traffic, give it a weight: and use balance: weighted",
            "t.yaml:" + (n + 10) + ":9: error: target 127.0.0.1:8080 of pool 'p' is the balancer's own listener " +
                "'web' (tcp 127.0.0.1:8080): traffic would loop through portgate forever; point the target at the " +
                "internal port the service itself listens on"), errors);
    }

    @Test
    void overlappingRangeTargetsAreDuplicates()
    {
        final ConfigLoader.Result result = load("""
            listeners:
              - name: web
                bind: 127.0.0.1:8000-8004
                pool: p
            pools:
              p:
                targets:
                  - 127.0.0.1:9000-9004
                  - 127.0.0.2:9000-9004
                  - 127.0.0.1:9004-9008
                  - 127.0.0.1:9010-9014
            """);
        assertEquals(List.of("t.yaml:10:9: error: pool 'p' lists target 127.0.0.1:9004-9008 twice (line 8); remove " +
            "the duplicate; to send it more traffic, give it a weight: and use balance: weighted"), errors(result));
    }

    @Test
    void aWildcardUdpListenerWithoutTheBatchedPathIsRefusedAsRunRefusesIt()
    {
        final String udp = """
            fast-paths:
              udp-batching: off
            listeners:
              - name: dns
                protocol: udp
                bind: 0.0.0.0:10053
                pool: p
            """ + POOL;
        final List<String> errors = errors(load(udp));
        assertEquals(1, errors.size(), errors.toString());
        assertTrue(errors.getFirst().startsWith("t.yaml:6:11: error: listener 'dns' binds UDP to the wildcard " +
            "0.0.0.0:10053, but fast-paths.udp-batching is off"), errors.getFirst());
        assertTrue(errors.getFirst().contains("set fast-paths.udp-batching: auto"), errors.getFirst());
        // One address at a time is fine on plain NIO, and the wildcard is fine where the batched path runs.
        assertEquals(List.of(), errors(load(udp.replace("0.0.0.0:10053", "127.0.0.1:10053"))));
        assertEquals(List.of(), errors(load(udp.replace("udp-batching: off", "udp-batching: auto"))),
            "the batched path works on this host (UdpBatchingTest), so auto takes it");
        // Where it does not work, auto falls back to NIO and the wildcard is refused too.
        final HostFacts noBatching = new HostFacts.Delegating(HostFacts.system())
        {
            @Override
            public boolean udpBatchingWorks()
            {
                return false;
            }
        };
        final List<String> onNio = ConfigLoader.load("t.yaml", udp.replace("udp-batching: off",
            "udp-batching: auto"), noBatching).diagnostics().stream()
            .filter(d -> d.severity() == Severity.ERROR).map(Diagnostic::format).toList();
        assertEquals(1, onNio.size(), onNio.toString());
        assertTrue(onNio.getFirst().contains("recvmmsg/sendmmsg do not work on this host"), onNio.getFirst());
    }
}
