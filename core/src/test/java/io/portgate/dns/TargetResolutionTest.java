package io.portgate.dns;

import io.portgate.config.ConfigLoader;
import io.portgate.config.ConfigParser;
import io.portgate.config.HostFacts;
import io.portgate.config.PortgateConfig;
import io.portgate.config.TargetConfig;
import io.portgate.testing.DnsServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@link TargetResolution} against an in-process DNS server: time moves only when the test moves it, so every
 * "not yet" is exact; only the lookups themselves are real, and the test waits for them to end (a bound, never an
 * assertion on time).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TargetResolutionTest
{
    private static final long SECOND = 1_000_000_000L;

    private DnsServer server;
    // Any start will do: deadlines are compared by subtraction, so a clock near the end of a long wraps correctly.
    private long now = Long.MAX_VALUE - 100 * SECOND;
    private final List<TargetChange> changes = new ArrayList<>();
    private TargetResolution resolution;
    private final List<LogRecord> logged = new ArrayList<>();
    private final Handler capture = new Handler()
    {
        @Override
        public synchronized void publish(final LogRecord record)
        {
            logged.add(record);
        }

        @Override
        public void flush()
        {
        }

        @Override
        public void close()
        {
        }
    };

    @BeforeEach
    void start()
    {
        server = DnsServer.start();
        resolution = new TargetResolution(() -> now, changes::add, Duration.ofSeconds(5));
        Logger.getLogger("io.portgate.dns").addHandler(capture);
    }

    @AfterEach
    void stop()
    {
        Logger.getLogger("io.portgate.dns").removeHandler(capture);
        resolution.onClose();
        server.close();
    }

    private PortgateConfig parsed(final String interval, final String... targets)
    {
        return ConfigParser.parse("t.yaml", yaml(interval, targets)).config();
    }

    private String yaml(final String interval, final String... targets)
    {
        return """
            resolvers: [%s]
            listeners:
              - name: web
                bind: 127.0.0.1:18080
                pool: web
            pools:
              web:
                port: 9000
                resolve-interval: %s
                targets: [%s]
            """.formatted(server.text(), interval, String.join(", ", targets));
    }

    private void awaitLookups(final long count)
    {
        final long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (resolution.totalLookups() < count)
        {
            resolution.doWork();
            if (System.nanoTime() - giveUp > 0)
            {
                fail("lookup " + count + " did not end; " + resolution.statuses());
            }
            Thread.onSpinWait();
        }
    }

    private static List<InetAddress> ips(final String... literals)
    {
        return java.util.Arrays.stream(literals).map(InetAddress::ofLiteral).toList();
    }

    private NameStatus status(final String name)
    {
        return resolution.statuses().stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void theFirstLookupStartsAtOnceAndAddsEveryAddress()
    {
        server.set("web.portgate.test", "2001:db8::1", "10.0.0.2", "10.0.0.1");
        resolution.update(parsed("30s", "web.portgate.test"));

        assertEquals(1, resolution.doWork(), "the lookup starts on the first duty cycle");
        awaitLookups(1);

        assertEquals(1, changes.size());
        final TargetChange change = changes.getFirst();
        assertEquals("web", change.pool());
        assertEquals("web.portgate.test", change.name());
        assertEquals(ips("10.0.0.1", "10.0.0.2", "2001:db8::1"), change.added());
        assertEquals(List.of(), change.removed());
        assertEquals(ips("10.0.0.1", "10.0.0.2", "2001:db8::1"),
            change.addedTargets().stream().map(TargetConfig::address).toList());
        assertTrue(change.addedTargets().stream().allMatch(t -> "web.portgate.test".equals(t.name())),
            "each new target says which name it came from");
        assertEquals(2, server.questionsAbout("web.portgate.test"), "A and AAAA, through resolvers:");
    }

    @Test
    void addressesTheConfigurationWasLoadedWithAreNotAddedAgain()
    {
        server.set("web.portgate.test", "10.0.0.1", "10.0.0.2");
        final ConfigLoader.Result loaded = ConfigLoader.load("t.yaml", yaml("30s", "web.portgate.test"),
            HostFacts.system());
        assertEquals(InetAddress.ofLiteral("10.0.0.1"), loaded.config().pools().get("web").targets().getFirst()
            .address(), loaded.diagnostics().toString());
        resolution.update(loaded.config());
        assertEquals(ips("10.0.0.1"), status("web.portgate.test").records().stream().map(AddressRecord::address)
            .toList(), "the set starts as the configuration has it");

        resolution.doWork();
        awaitLookups(1);

        assertEquals(1, changes.size());
        assertEquals(ips("10.0.0.2"), changes.getFirst().added());
        assertEquals(List.of(), changes.getFirst().removed());
    }

    @Test
    void recordsThatChangeBetweenLookupsGiveExactlyTheChangeAtTheInterval()
    {
        server.set("web.portgate.test", "10.0.0.1", "10.0.0.2", "2001:db8::1");
        resolution.update(parsed("30s", "web.portgate.test"));
        resolution.doWork();
        awaitLookups(1);
        changes.clear();

        server.set("web.portgate.test", "10.0.0.3", "10.0.0.2", "2001:db8::2");
        now += 29 * SECOND;
        assertEquals(0, resolution.doWork(), "not due before resolve-interval");
        assertEquals(1, resolution.totalLookups());
        now += SECOND;
        assertEquals(1, resolution.doWork(), "due at resolve-interval");
        awaitLookups(2);

        assertEquals(1, changes.size());
        assertEquals(ips("10.0.0.3", "2001:db8::2"), changes.getFirst().added());
        assertEquals(ips("10.0.0.1", "2001:db8::1"), changes.getFirst().removed());
        assertEquals(ips("10.0.0.2", "10.0.0.3", "2001:db8::2"),
            changes.getFirst().records().stream().map(AddressRecord::address).toList());
        assertEquals("+10.0.0.3 +[2001:db8::2] -10.0.0.1 -[2001:db8::1]", changes.getFirst().describe());
        assertEquals(1, resolution.totalChanges() - 1, "two changes in all: the first set and this one");
    }

    @Test
    void theSameAddressesInAnotherOrderOrWithOtherTtlsAreNoChange()
    {
        server.set("web.portgate.test", "10.0.0.1", "10.0.0.2");
        resolution.update(parsed("10s", "web.portgate.test"));
        resolution.doWork();
        awaitLookups(1);
        changes.clear();

        server.set("web.portgate.test", List.of(new DnsServer.Rr(InetAddress.ofLiteral("10.0.0.2"), 5),
            new DnsServer.Rr(InetAddress.ofLiteral("10.0.0.1"), 5)));
        now += 10 * SECOND;
        resolution.doWork();
        awaitLookups(2);

        assertEquals(List.of(), changes);
        assertEquals(1, resolution.totalChanges());
        assertEquals(List.of(5L, 5L), status("web.portgate.test").records().stream()
            .map(AddressRecord::ttlSeconds).toList(), "the TTLs read are the latest");
    }

    @Test
    void aFailedLookupKeepsTheLastGoodSetIsCountedAndIsLoggedOncePerRun()
    {
        server.set("web.portgate.test", "10.0.0.1", "10.0.0.2");
        resolution.update(parsed("10s", "web.portgate.test"));
        resolution.doWork();
        awaitLookups(1);
        changes.clear();

        server.behave("web.portgate.test", DnsServer.Behaviour.SERVFAIL);
        now += 10 * SECOND;
        resolution.doWork();
        awaitLookups(2);
        server.behave("web.portgate.test", DnsServer.Behaviour.NXDOMAIN);
        now += 10 * SECOND;
        resolution.doWork();
        awaitLookups(3);

        assertEquals(List.of(), changes, "a failure changes nothing");
        NameStatus s = status("web.portgate.test");
        assertEquals(ips("10.0.0.1", "10.0.0.2"), s.records().stream().map(AddressRecord::address).toList());
        assertEquals(3, s.lookups());
        assertEquals(2, s.failures());
        assertEquals(2, s.consecutiveFailures());
        assertEquals(LookupOutcome.NXDOMAIN, s.lastOutcome());
        assertTrue(s.lastReason().contains("NXDOMAIN"), s.lastReason());
        assertEquals(2, resolution.totalFailures());
        final List<String> warnings = messages(Level.WARNING);
        assertEquals(1, warnings.size(), "one line for the run of failures: " + warnings);
        assertTrue(warnings.getFirst().contains("SERVFAIL") && warnings.getFirst().contains("10.0.0.1, 10.0.0.2"),
            warnings.getFirst());

        // It answers again, with one address fewer: the change is from the last good set.
        server.set("web.portgate.test", "10.0.0.2");
        now += 10 * SECOND;
        resolution.doWork();
        awaitLookups(4);

        assertEquals(1, changes.size());
        assertEquals(List.of(), changes.getFirst().added());
        assertEquals(ips("10.0.0.1"), changes.getFirst().removed());
        s = status("web.portgate.test");
        assertEquals(0, s.consecutiveFailures());
        assertNull(s.lastReason());
        assertEquals(2, s.failures(), "failures are a count, not a state");
        assertTrue(messages(Level.INFO).stream().anyMatch(m -> m.contains("resolves again after 2 failed")),
            messages(Level.INFO).toString());

        // A new run of failures is logged again.
        server.behave("web.portgate.test", DnsServer.Behaviour.REFUSED);
        now += 10 * SECOND;
        resolution.doWork();
        awaitLookups(5);
        assertEquals(2, messages(Level.WARNING).size());
        assertEquals(LookupOutcome.REFUSED, status("web.portgate.test").lastOutcome());
    }

    @Test
    void aTimeoutIsAFailureThatKeepsTheSet()
    {
        resolution = new TargetResolution(() -> now, changes::add, Duration.ofMillis(300));
        server.set("web.portgate.test", "10.0.0.1");
        resolution.update(parsed("10s", "web.portgate.test"));
        resolution.doWork();
        awaitLookups(1);

        server.behave("web.portgate.test", DnsServer.Behaviour.SILENT);
        now += 10 * SECOND;
        resolution.doWork();
        awaitLookups(2);

        final NameStatus s = status("web.portgate.test");
        assertEquals(LookupOutcome.TIMEOUT, s.lastOutcome());
        assertEquals(ips("10.0.0.1"), s.records().stream().map(AddressRecord::address).toList());
        assertEquals(1, changes.size(), "only the first set");
    }

    @Test
    void aResolveIntervalOfZeroLooksUpOnceAtStart()
    {
        server.set("web.portgate.test", "10.0.0.1");
        resolution.update(parsed("0s", "web.portgate.test"));
        resolution.doWork();
        awaitLookups(1);
        assertEquals(1, changes.size());

        server.set("web.portgate.test", "10.0.0.9");
        now += 3600 * SECOND;
        assertEquals(0, resolution.doWork());
        now += 365L * 24 * 3600 * SECOND;
        assertEquals(0, resolution.doWork());
        assertEquals(2, server.questionsAbout("web.portgate.test"), "asked once: A and AAAA");
    }

    @Test
    void aResolveIntervalOfZeroTriesAFailedFirstLookupAgainUntilOneSucceeds()
    {
        resolution.update(parsed("0s", "web.portgate.test"));
        resolution.doWork();
        awaitLookups(1);
        assertEquals(LookupOutcome.NXDOMAIN, status("web.portgate.test").lastOutcome());

        server.set("web.portgate.test", "10.0.0.1");
        now += TargetResolution.RETRY_UNTIL_RESOLVED.toNanos() - 1;
        assertEquals(0, resolution.doWork());
        now += 1;
        assertEquals(1, resolution.doWork());
        awaitLookups(2);
        assertEquals(ips("10.0.0.1"), changes.getFirst().added());

        now += 3600 * SECOND;
        assertEquals(0, resolution.doWork(), "resolved once: done");
    }

    @Test
    void aLookupStillRunningWhenTheNextIsDueIsNotDoubled()
    {
        server.set("web.portgate.test", "10.0.0.1").behave("web.portgate.test", DnsServer.Behaviour.SILENT);
        // A timeout far beyond the test: the first lookup is certainly still running whatever the machine does.
        resolution = new TargetResolution(() -> now, changes::add, Duration.ofMinutes(10));
        resolution.update(parsed("1s", "web.portgate.test"));
        assertEquals(1, resolution.doWork());

        for (int i = 0; i < 5; i++)
        {
            now += 2 * SECOND;
            assertEquals(0, resolution.doWork(), "overdue, but the first lookup has not ended");
        }
        assertEquals(0, resolution.totalLookups());
        final long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (server.questionsAbout("web.portgate.test") < 2 && System.nanoTime() - giveUp < 0)
        {
            Thread.onSpinWait();
        }
        assertEquals(2, server.questionsAbout("web.portgate.test"), "one lookup: A and AAAA, once each");
    }

    @Test
    void anUpdateKeepsWhatItKnowsLooksEverythingUpAgainAndForgetsWhatIsGone()
    {
        server.set("a.portgate.test", "10.0.0.1").set("b.portgate.test", "10.0.0.2").set("c.portgate.test",
            "10.0.0.3");
        resolution.update(parsed("30s", "a.portgate.test", "b.portgate.test"));
        resolution.doWork();
        awaitLookups(2);
        assertEquals(2, changes.size());
        changes.clear();

        resolution.update(parsed("30s", "a.portgate.test", "c.portgate.test"));
        assertEquals(List.of("a.portgate.test", "c.portgate.test"),
            resolution.statuses().stream().map(NameStatus::name).toList());
        assertEquals(1, status("a.portgate.test").lookups(), "a keeps its counts");
        assertEquals(2, resolution.doWork(), "both looked up at once after the update");
        awaitLookups(4);

        assertEquals(1, changes.size(), "a's set is the same: only c is new");
        assertEquals("c.portgate.test", changes.getFirst().name());
        assertEquals(ips("10.0.0.3"), changes.getFirst().added());
    }

    @Test
    void aLookupOfANameThatIsGoneIsIgnoredWhenItEnds()
    {
        server.set("b.portgate.test", "10.0.0.2").set("a.portgate.test", "10.0.0.1");
        resolution.update(parsed("30s", "b.portgate.test"));
        assertEquals(1, resolution.doWork());
        final long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (resolution.endedNotTakenIn() == 0)
        {
            assertTrue(System.nanoTime() - giveUp < 0, "b's lookup did not end");
            Thread.onSpinWait();
        }

        resolution.update(parsed("30s", "a.portgate.test"));
        resolution.doWork();
        awaitLookups(1);

        assertEquals(List.of("a.portgate.test"), changes.stream().map(TargetChange::name).toList());
        assertEquals(1, resolution.totalLookups(), "b's lookup ended after b was gone: not counted");
        assertEquals(0, resolution.endedNotTakenIn());
    }

    @Test
    void changingResolversAsksTheNewServers()
    {
        try (DnsServer other = DnsServer.start())
        {
            server.set("web.portgate.test", "10.0.0.1");
            other.set("web.portgate.test", "10.0.0.7");
            resolution.update(parsed("30s", "web.portgate.test"));
            resolution.doWork();
            awaitLookups(1);

            resolution.update(ConfigParser.parse("t.yaml", yaml("30s", "web.portgate.test")
                .replace(server.text(), other.text())).config());
            resolution.doWork();
            awaitLookups(2);

            assertEquals(ips("10.0.0.7"), changes.getLast().added());
            assertEquals(ips("10.0.0.1"), changes.getLast().removed());
            assertEquals(2, other.questionsAbout("web.portgate.test"));
            assertEquals(other.text(), resolution.resolverDescription());
        }
    }

    @Test
    void oneNameWithTwoPortsInAPoolIsTwoTargetsLookedUpApart()
    {
        server.set("web.portgate.test", "10.0.0.1");
        resolution.update(parsed("30s", "\"web.portgate.test:9001\"", "\"web.portgate.test:9002\""));
        assertEquals(2, resolution.doWork());
        awaitLookups(2);

        assertEquals(2, changes.size());
        // The two lookups run at once, so their changes come in either order.
        assertEquals(List.of("9001", "9002"), changes.stream().map(c -> c.target().ports().toString()).sorted()
            .toList());
    }

    @Test
    void expandGivesOneTargetPerAddressOfTheLastGoodSet()
    {
        server.set("web.portgate.test", "10.0.0.2", "10.0.0.1");
        final PortgateConfig config = parsed("30s", "127.0.0.1", "web.portgate.test");
        resolution.update(config);
        assertEquals(List.of(InetAddress.ofLiteral("127.0.0.1")), resolution.expand(config).pools().get("web")
            .targets().stream().map(TargetConfig::address).toList(), "no address for the name yet: left out");

        resolution.doWork();
        awaitLookups(1);

        final List<TargetConfig> targets = resolution.expand(config).pools().get("web").targets();
        assertEquals(ips("127.0.0.1", "10.0.0.1", "10.0.0.2"), targets.stream().map(TargetConfig::address).toList());
        assertEquals(java.util.Arrays.asList(null, "web.portgate.test", "web.portgate.test"),
            targets.stream().map(TargetConfig::name).toList());
    }

    @Test
    void statusesAreReadableAndSayWhoIsAsked()
    {
        server.set("web.portgate.test", "10.0.0.1");
        resolution.update(parsed("30s", "web.portgate.test"));
        final NameStatus before = status("web.portgate.test");
        assertEquals(0, before.lookups());
        assertNull(before.lastOutcome());
        assertEquals(server.text(), before.resolver());

        resolution.doWork();
        awaitLookups(1);
        final NameStatus after = status("web.portgate.test");
        assertEquals(1, after.lookups());
        assertEquals(LookupOutcome.RESOLVED, after.lastOutcome());
        assertEquals(1, after.changes());
        assertEquals("web", after.pool());
        assertFalse(after.records().isEmpty());
    }

    private List<String> messages(final Level level)
    {
        synchronized (capture)
        {
            return logged.stream().filter(r -> r.getLevel() == level)
                .map(r -> java.text.MessageFormat.format(r.getMessage(), r.getParameters())).toList();
        }
    }
}
