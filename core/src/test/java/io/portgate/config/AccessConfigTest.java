package io.portgate.config;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 13's keys in a file: read into the model, and every bad CIDR, host-bits warning, overlap note and missing
 * trusted-proxies named with file, line and column.
 */
class AccessConfigTest
{
    private static final String GOOD = """
        admin: 127.0.0.1:9990
        admin-allow: [10.0.0.0/8]
        access-log: {path: /tmp/portgate-access.log, format: json}
        listeners:
          - name: web
            bind: 127.0.0.1:18080
            pool: web
            accept-proxy: v2
            trusted-proxies: [127.0.0.2/32]
            allow: [0.0.0.0/0, "::/0"]
            deny: [192.0.2.0/24]
            max-connections-per-source: 5
            connection-rate-per-source: 100/s
          - name: dns
            protocol: udp
            bind: 127.0.0.1:18053
            pool: dns
            max-flows-per-source: 3
            datagram-rate-per-source: 1000/s
        pools:
          web:
            port: 19000
            send-proxy: v1
            targets: [127.0.0.1]
          dns:
            port: 19053
            send-proxy: v2
            targets: [127.0.0.1]
        """;

    @Test
    void everyKeyIsRead()
    {
        final ConfigLoader.Result result = ConfigLoader.load("a.yaml", GOOD, HostFacts.system());
        assertFalse(result.hasErrors(), result.diagnostics().toString());
        final PortgateConfig config = result.config();
        assertEquals(List.of("10.0.0.0/8"), config.adminAllow().entries());
        assertEquals(Path.of("/tmp/portgate-access.log"), config.accessLog().path());
        assertEquals(LogFormat.JSON, config.accessLog().format());
        final ListenerConfig web = config.listeners().getFirst();
        assertEquals(AcceptProxy.V2, web.acceptProxy());
        assertEquals(List.of("127.0.0.2/32"), web.trustedProxies().entries());
        assertEquals(List.of("0.0.0.0/0", "::/0"), web.allow().entries());
        assertEquals(List.of("192.0.2.0/24"), web.deny().entries());
        assertEquals(5, web.maxConnectionsPerSource());
        assertEquals(100, web.connectionRatePerSource());
        final ListenerConfig dns = config.listeners().get(1);
        assertEquals(3, dns.maxFlowsPerSource());
        assertEquals(1000, dns.datagramRatePerSource());
        assertEquals(SendProxy.V1, config.pools().get("web").sendProxy());
        assertEquals(SendProxy.V2, config.pools().get("dns").sendProxy());
        assertNull(config.listeners().get(1).allow());
    }

    @Test
    void findingsNameFileLineAndColumn()
    {
        final String text = """
            listeners:
              - name: web
                bind: 127.0.0.1:18080
                pool: web
                accept-proxy: any
                allow: [10.0.0.0/8]
                deny: [10.0.0.0/33, 10.1.2.3/16]
                connection-rate-per-source: fast
            pools:
              web:
                port: 19000
                targets: [127.0.0.1]
            """;
        final ConfigLoader.Result result = ConfigLoader.load("b.yaml", text, HostFacts.system());
        final List<String> lines = result.diagnostics().stream().map(Diagnostic::format).toList();
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("b.yaml:7:21: error: listener 'web' deny: prefix " +
            "length 33 in '10.0.0.0/33' is more than 32")), lines.toString());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("b.yaml:7:25: warning: listener 'web' deny: " +
            "'10.1.2.3/16' has bits set after its first 16; it means 10.1.0.0/16")), lines.toString());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("b.yaml:7:25: note: listener 'web' deny: " +
            "'10.1.2.3/16' lies inside allow entry 1")), lines.toString());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("b.yaml:2:5: error: listener 'web' sets " +
            "accept-proxy: any without trusted-proxies")), lines.toString());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("b.yaml:8:33: error: listener 'web' " +
            "connection-rate-per-source must be a rate such as 100/s")), lines.toString());
    }

    @Test
    void aVersionOneHeaderCannotGoToAUdpPool()
    {
        final String text = """
            listeners:
              - name: dns
                protocol: udp
                bind: 127.0.0.1:18053
                pool: dns
            pools:
              dns:
                port: 19053
                send-proxy: v1
                targets: [127.0.0.1]
            """;
        final ConfigLoader.Result result = ConfigLoader.load("c.yaml", text, HostFacts.system());
        assertTrue(result.diagnostics().stream().anyMatch(d -> d.format().startsWith("c.yaml:5:11: error: " +
            "listener 'dns' is udp and forwards to pool 'dns', which has send-proxy: v1")),
            result.diagnostics().toString());
    }
}
