package io.portgate.dns;

import io.portgate.Portgate;
import io.portgate.config.ConfigLoader;
import io.portgate.config.Diagnostic;
import io.portgate.config.HostFacts;
import io.portgate.config.Severity;
import io.portgate.config.TargetConfig;
import io.portgate.testing.DnsServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Host names of targets looked up as a configuration is loaded ({@link TargetNames} through {@link ConfigLoader}). */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TargetNamesTest
{
    private DnsServer server;

    @BeforeEach
    void start()
    {
        server = DnsServer.start();
    }

    @AfterEach
    void stop()
    {
        server.close();
    }

    private ConfigLoader.Result load(final String targets)
    {
        return load("resolvers: [" + server.text() + "]", targets);
    }

    private static ConfigLoader.Result load(final String resolvers, final String targets)
    {
        return ConfigLoader.load("t.yaml", """
            %s
            listeners:
              - name: web
                bind: 127.0.0.1:18080
                pool: web
            pools:
              web:
                port: 9000
                targets: [%s]
            """.formatted(resolvers, targets), HostFacts.system());
    }

    private static List<String> findings(final ConfigLoader.Result result, final Severity severity)
    {
        // The host's own findings (an open-file limit below what the defaults may need) are not these tests' business.
        return result.diagnostics().stream().filter(d -> d.severity() == severity && d.position().isKnown())
            .map(Diagnostic::format).toList();
    }

    @Test
    void aNameIsLookedUpThroughTheConfiguredResolversAndTakesItsFirstAddress()
    {
        server.set("web.portgate.test", "2001:db8::1", "10.0.0.2", "10.0.0.1");

        final ConfigLoader.Result r = load("web.portgate.test, 10.0.0.9");

        assertFalse(r.hasErrors(), r.diagnostics().toString());
        final TargetConfig named = r.config().pools().get("web").targets().getFirst();
        assertEquals("web.portgate.test", named.name());
        assertEquals(InetAddress.ofLiteral("10.0.0.1"), named.address(), "the first in address order: IPv4 first");
        assertEquals(2, server.questionsAbout("web.portgate.test"), "A and AAAA, from the configured server");
        assertEquals(List.of("t.yaml:9:15: note: pool 'web' target 'web.portgate.test:9000': host name " +
            "'web.portgate.test' resolves to 3 addresses (10.0.0.1, 10.0.0.2, [2001:db8::1]); the balancer " +
            "forwards this target's traffic to the first, 10.0.0.1"), findings(r, Severity.NOTE));
        assertEquals(InetAddress.ofLiteral("10.0.0.9"), r.config().pools().get("web").targets().get(1).address());
    }

    @Test
    void aNameThatDoesNotResolveIsAWarningWithTheReasonNotAnError()
    {
        server.set("broken.portgate.test", "10.0.0.1").behave("broken.portgate.test", DnsServer.Behaviour.SERVFAIL);

        final ConfigLoader.Result r = load("nothing.portgate.test, broken.portgate.test");

        assertFalse(r.hasErrors(), r.diagnostics().toString());
        assertEquals(List.of(
            "t.yaml:9:15: warning: pool 'web' target 'nothing.portgate.test:9000': host name " +
                "'nothing.portgate.test' does not resolve: NXDOMAIN: no such name; asked " + server.text() +
                "; check the name, resolvers: and the DNS servers; portgate run starts without this target and " +
                "adds it once its name resolves",
            "t.yaml:9:38: warning: pool 'web' target 'broken.portgate.test:9000': host name " +
                "'broken.portgate.test' does not resolve: SERVFAIL: the resolver could not answer; asked " +
                server.text() + "; check the name, resolvers: and the DNS servers; portgate run starts without " +
                "this target and adds it once its name resolves"), findings(r, Severity.WARNING));
        assertNull(r.config().pools().get("web").targets().getFirst().address());
    }

    @Test
    void theBalancerStartsWithoutATargetWhoseNameHasNoAddress()
    {
        final ConfigLoader.Result r = load("nothing.portgate.test");

        // Added once its name resolves (DnsTargetsTest); until then the pool has no target to pick.
        try (Portgate portgate = Portgate.start(r.config()))
        {
            assertEquals(List.of(), portgate.targets());
            assertEquals(List.of("pool web: no target up"), portgate.health().reasons());
        }
    }

    @Test
    void eachNameIsAskedOnceHoweverManyTargetsNameIt()
    {
        server.set("web.portgate.test", "10.0.0.1");

        final ConfigLoader.Result r = load("\"web.portgate.test:9001\", \"WEB.portgate.test:9002\", " +
            "\"web.portgate.test.:9003\"");

        assertFalse(r.hasErrors(), r.diagnostics().toString());
        assertEquals(2, server.questionsAbout("web.portgate.test"));
        assertTrue(r.config().pools().get("web").targets().stream()
            .allMatch(t -> InetAddress.ofLiteral("10.0.0.1").equals(t.address())));
    }

    @Test
    void aNameWrittenTwiceIsADuplicateWhetherItResolvedOrNot()
    {
        server.set("web.portgate.test", "10.0.0.1");

        assertEquals(List.of("t.yaml:9:34: error: pool 'web' lists target 10.0.0.1:9000 twice (line 9); " +
            "remove the duplicate; to send it more traffic, give it a weight: and use balance: weighted"),
            findings(load("web.portgate.test, web.portgate.test"), Severity.ERROR));
        assertEquals(List.of("t.yaml:9:38: error: pool 'web' lists target nothing.portgate.test:9000 twice " +
            "(line 9); remove the duplicate; to send it more traffic, give it a weight: and use " +
            "balance: weighted"), findings(load("nothing.portgate.test, nothing.portgate.test"), Severity.ERROR));
    }

    @Test
    void aNameThatResolvesToTheBalancersOwnListenerIsALoop()
    {
        server.set("self.portgate.test", "127.0.0.1");

        final List<String> errors = findings(load("\"self.portgate.test:18080\""), Severity.ERROR);

        assertEquals(1, errors.size(), errors.toString());
        assertTrue(errors.getFirst().contains("is the balancer's own listener 'web'"), errors.getFirst());
    }

    @Test
    void resolversWithoutANamedTargetIsANote()
    {
        assertEquals(List.of("t.yaml:1:12: note: resolvers: is set but no target is written as a host name, so no " +
            "name is looked up"), findings(load("10.0.0.1"), Severity.NOTE));
        assertEquals(0, server.questions().size());
    }

    @Test
    void withoutResolversTheSystemResolverLooksTheNameUp()
    {
        final ConfigLoader.Result r = load("", "localhost");

        assertFalse(r.hasErrors(), r.diagnostics().toString());
        assertTrue(r.config().pools().get("web").targets().getFirst().address().isLoopbackAddress());
        assertEquals(0, server.questions().size());
    }

    @Test
    void expandMakesATargetOfEveryAddress()
    {
        server.set("web.portgate.test", "10.0.0.2", "10.0.0.1");
        final ConfigLoader.Result r = load("web.portgate.test, nothing.portgate.test");
        final var resolutions = TargetNames.resolveAll(TargetNames.names(r.config()),
            HostResolver.of(r.config().resolvers(), HostResolver.DEFAULT_TIMEOUT));

        final List<TargetConfig> targets = TargetNames.expand(r.config(), resolutions).pools().get("web").targets();

        assertEquals(java.util.Arrays.asList(InetAddress.ofLiteral("10.0.0.1"), InetAddress.ofLiteral("10.0.0.2"),
            null), targets.stream().map(TargetConfig::address).toList());
        assertEquals(List.of("web.portgate.test", "web.portgate.test", "nothing.portgate.test"),
            targets.stream().map(TargetConfig::name).toList());
    }
}
