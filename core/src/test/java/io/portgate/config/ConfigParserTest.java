package io.portgate.config;

import io.portgate.balance.BalanceAlgorithm;
import org.junit.jupiter.api.Test;

import java.util.List;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigParserTest
{
    private static final String FULL = """
        workers: 3
        admin: "[::1]:9990"
        admin-token: s3cret
        idle-strategy: spin
        drain-timeout: 1m30s
        max-connections: 5000
        buffer-memory: 64m
        fast-paths:
          splice: off
          udp-batching: on
          udp-gso: auto
        listeners:
          - name: web
            protocol: tcp
            bind: 0.0.0.0:8080
            pool: web
            connect-timeout: 250ms
            connect-attempts: 2
            idle-timeout: 10m
            backlog: 512
            send-buffer: 256k
            receive-buffer: 1m
            buffer-size: 32k
            max-connections: 100
            first-byte-latency: true
          - name: dns
            protocol: udp
            bind: "[::1]:30000-30009"
            pool: dns
            affinity: client
            max-flows: 1000
        pools:
          web:
            port: 9000
            balance: weighted
            on-down: close
            when-all-down: fail-open
            slow-start: 30s
            targets:
              - 127.0.0.1
              - address: 127.0.0.2:9001
                weight: 4
              - "[::1]"
            health:
              protocol: http
              port: 9100
              path: /healthz
              status: 200-299
              interval: 500ms
              timeout: 200ms
              rise: 1
              fall: 5
          dns:
            port: 8000-8009
            balance: maglev
            targets:
              - localhost
            resolve-interval: 10s
        resolvers: [10.0.0.53, "[2001:db8::53]:5353"]
        """;

    @Test
    void readsEveryKey()
    {
        final ConfigParser.Result result = ConfigParser.parse("full.yaml", FULL);
        assertFalse(result.hasErrors(), result.diagnostics().toString());
        final PortgateConfig c = result.config();
        assertEquals(3, c.workers());
        assertEquals(InetAddress.ofLiteral("::1"), c.admin().address());
        assertEquals(9990, c.admin().ports().first());
        assertEquals("s3cret", c.adminToken());
        assertEquals(IdleStrategyName.SPIN, c.idleStrategy());
        assertEquals(Duration.ofSeconds(90), c.drainTimeout());
        assertEquals(5000, c.maxConnections());
        assertEquals(64L << 20, c.bufferMemory());
        assertEquals(FastPath.OFF, c.splice());
        assertEquals(FastPath.ON, c.udpBatching());
        assertEquals(FastPath.AUTO, c.udpGso());

        final ListenerConfig web = c.listeners().get(0);
        assertEquals(Protocol.TCP, web.protocol());
        assertTrue(web.bind().isWildcard());
        assertEquals(PortRange.of(8080), web.bind().ports());
        assertEquals(Duration.ofMillis(250), web.connectTimeout());
        assertEquals(2, web.connectAttempts());
        assertEquals(Duration.ofMinutes(10), web.idleTimeout());
        assertEquals(512, web.backlog());
        assertEquals(256 * 1024, web.sendBuffer());
        assertEquals(1 << 20, web.receiveBuffer());
        assertEquals(32 * 1024, web.bufferSize());
        assertEquals(100, web.maxConnections());
        assertTrue(web.firstByteLatency());
        assertEquals(new Position(13, 5), web.position());
        assertEquals(new Position(15, 11), web.bindPosition());

        final ListenerConfig dns = c.listeners().get(1);
        assertEquals(Protocol.UDP, dns.protocol());
        assertEquals(new PortRange(30000, 30009), dns.bind().ports());
        assertEquals(Affinity.CLIENT, dns.affinity());
        assertEquals(1000, dns.maxFlows());
        assertFalse(dns.firstByteLatency());
        assertEquals(ListenerConfig.DEFAULT_UDP_IDLE_TIMEOUT, dns.idleTimeout());

        final PoolConfig pool = c.pools().get("web");
        assertEquals(BalanceAlgorithm.WEIGHTED.configName(), pool.balance());
        assertEquals(OnDown.CLOSE, pool.onDown());
        assertEquals(AllDown.FAIL_OPEN, pool.allDown());
        assertEquals(Duration.ofSeconds(30), pool.slowStart());
        assertEquals(3, pool.targets().size());
        assertNull(pool.targets().get(0).ports());
        assertEquals(PortRange.of(9000), pool.targets().get(0).effectivePorts(pool));
        assertEquals(PortRange.of(9001), pool.targets().get(1).ports());
        assertEquals(4, pool.targets().get(1).weight());
        assertEquals(InetAddress.ofLiteral("::1"), pool.targets().get(2).address());
        final HealthConfig health = pool.health();
        assertEquals(HealthProtocol.HTTP, health.protocol());
        assertEquals(9100, health.port());
        assertEquals("/healthz", health.path());
        assertEquals(200, health.statusMin());
        assertEquals(299, health.statusMax());
        assertEquals(Duration.ofMillis(500), health.interval());
        assertEquals(1, health.rise());
        assertEquals(5, health.fall());

        // A host name is kept as a name: it is looked up as the configuration is loaded, through resolvers:.
        final TargetConfig named = c.pools().get("dns").targets().get(0);
        assertEquals("localhost", named.name());
        assertNull(named.address());
        assertNull(pool.targets().get(2).name(), "an IP address is not a name");
        assertEquals(Duration.ofSeconds(10), c.pools().get("dns").resolveInterval());
        assertEquals(PoolConfig.DEFAULT_RESOLVE_INTERVAL, pool.resolveInterval());
        assertEquals(List.of(new java.net.InetSocketAddress(InetAddress.ofLiteral("10.0.0.53"), 53),
            new java.net.InetSocketAddress(InetAddress.ofLiteral("2001:db8::53"), 5353)), c.resolvers());
    }

    @Test
    void defaultsAreFilledIn()
    {
        final ConfigParser.Result result = ConfigParser.parse("min.yaml", """
            listeners:
              - name: a
                bind: 127.0.0.1:8080
                pool: p
            pools:
              p:
                port: 9000
                targets: [127.0.0.1]
            """);
        assertFalse(result.hasErrors(), result.diagnostics().toString());
        final PortgateConfig c = result.config();
        assertEquals(PortgateConfig.defaultWorkers(), c.workers());
        assertNull(c.admin(), "no admin endpoint unless the file asks for one");
        final ListenerConfig l = c.listeners().get(0);
        assertEquals(Protocol.TCP, l.protocol());
        assertEquals(ListenerConfig.DEFAULT_CONNECT_TIMEOUT, l.connectTimeout());
        assertEquals(ListenerConfig.DEFAULT_TCP_IDLE_TIMEOUT, l.idleTimeout());
        assertEquals(BalanceAlgorithm.ROUND_ROBIN.configName(), c.pools().get("p").balance());
        assertNull(c.pools().get("p").health(), "no active probe unless the file asks for one");
    }

    @Test
    void firstByteLatencyTakesOnlyTrueOrFalse()
    {
        final ConfigParser.Result result = ConfigParser.parse("fb.yaml", """
            listeners:
              - name: a
                bind: 127.0.0.1:8080
                pool: p
                first-byte-latency: sometimes
            pools:
              p:
                port: 9000
                targets: [127.0.0.1]
            """);
        assertEquals(List.of("fb.yaml:5:25: error: listener 'a' first-byte-latency 'sometimes' is not true or false"),
            result.diagnostics().stream().filter(d -> d.severity() == Severity.ERROR).map(Diagnostic::format)
                .toList());
    }

    @Test
    void reportsEveryErrorNotOnlyTheFirst()
    {
        final ConfigParser.Result result = ConfigParser.parse("many.yaml", """
            workers: 0
            listeners:
              - name: a
                bind: 127.0.0.1:99999
                pool: p
                protocol: sctp
            pools:
              p:
                port: 9000
                targets: [127.0.0.1]
            """);
        assertEquals(3, result.diagnostics().stream().filter(d -> d.severity() == Severity.ERROR).count(),
            result.diagnostics().toString());
    }

    @Test
    void shippedExampleIsValid()
    {
        final Path example = Path.of("..", "config", "portgate.yaml");
        final ConfigLoader.Result result = ConfigLoader.load(example, HostFacts.system());
        assertFalse(result.hasErrors(), result.diagnostics().toString());
        assertEquals(0, result.count(Severity.WARNING), result.diagnostics().toString());
        assertEquals(3, result.config().listeners().size());
        assertTrue(result.config().listeners().stream().anyMatch(l -> l.protocol() == Protocol.UDP));
        assertTrue(result.config().listeners().stream().anyMatch(l -> !l.bind().ports().isSingle()));
    }

    @Test
    void configBuiltInCodeIsValidatedTheSameWay()
    {
        final PortgateConfig config = PortgateConfig.builder()
            .listener(ListenerConfig.builder("web").bind("127.0.0.1:8080").pool("web").build())
            .pool(PoolConfig.builder("web").port(8080).target(InetAddress.getLoopbackAddress()).build())
            .build();
        final var diagnostics = ConfigValidator.validate(config, HostFacts.system());
        assertTrue(diagnostics.stream().anyMatch(d -> d.severity() == Severity.ERROR &&
            d.format().startsWith("<code>: error: target 127.0.0.1:8080 of pool 'web' is the balancer's own " +
                "listener 'web'")), diagnostics.toString());
        final ConfigException ex = assertThrows(ConfigException.class,
            () -> new ConfigLoader.Result(config, diagnostics).orThrow());
        assertTrue(ex.getMessage().contains("traffic would loop"));
    }
}
