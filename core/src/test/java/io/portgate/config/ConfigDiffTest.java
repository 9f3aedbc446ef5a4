package io.portgate.config;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigDiffTest
{
    private static PortgateConfig parse(final String yaml)
    {
        final ConfigParser.Result r = ConfigParser.parse("t.yaml", yaml);
        assertTrue(!r.hasErrors(), r.diagnostics().toString());
        return r.config();
    }

    private static final String BASE = """
        workers: 2
        listeners:
          - name: web
            bind: 127.0.0.1:8080
            pool: web
        pools:
          web:
            port: 9000
            targets:
              - 127.0.0.1
              - address: 127.0.0.2
                weight: 2
        """;

    @Test
    void nothingChanged()
    {
        final ConfigDiff diff = ConfigDiff.between(parse(BASE), parse(BASE));
        assertTrue(diff.isEmpty());
        assertEquals("no change", diff.toString());
    }

    @Test
    void namesEveryChange()
    {
        final PortgateConfig after = parse("""
            workers: 3
            listeners:
              - name: web
                bind: 127.0.0.1:8080
                pool: web
              - name: dns
                protocol: udp
                bind: 127.0.0.1:5353
                pool: web
            pools:
              web:
                port: 9000
                balance: maglev
                targets:
                  - address: 127.0.0.2
                    weight: 5
                  - 127.0.0.3
            """);
        final ConfigDiff diff = ConfigDiff.between(parse(BASE), after);
        assertEquals(java.util.List.of("workers 2 -> 3", "+listener dns (udp 127.0.0.1:5353 -> web)",
            "pool web: balance round-robin -> maglev", "pool web: -target 127.0.0.1:9000",
            "pool web: target 127.0.0.2:9000 weight 2 -> 5", "pool web: +target 127.0.0.3:9000"), diff.changes());
    }

    @Test
    void namesTheSettingAndBothValues()
    {
        final PortgateConfig after = parse("""
            workers: 2
            drain-timeout: 5s
            listeners:
              - name: web
                bind: localhost:8080
                pool: web
                idle-timeout: 10m
                first-byte-latency: true
            pools:
              web:
                port: 9000
                on-down: close
                targets:
                  - 127.0.0.1
                  - address: 127.0.0.2
                    weight: 2
            """);
        // "localhost" binds what "127.0.0.1" did: not a change.
        assertEquals(java.util.List.of("drain-timeout 30s -> 5s", "listener web: idle-timeout 1h -> 10m",
            "listener web: first-byte-latency false -> true", "pool web: on-down keep -> close"),
            ConfigDiff.between(parse(BASE), after).changes());
    }
}
