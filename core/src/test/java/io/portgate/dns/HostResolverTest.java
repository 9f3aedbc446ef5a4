package io.portgate.dns;

import io.portgate.testing.DnsServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link HostResolver} against an in-process DNS server on 127.0.0.1. */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HostResolverTest
{
    private DnsServer server;
    private HostResolver resolver;

    @BeforeEach
    void start()
    {
        server = DnsServer.start();
        resolver = HostResolver.of(List.of(server.address()), Duration.ofSeconds(5));
    }

    @AfterEach
    void stop()
    {
        server.close();
    }

    @Test
    void everyAAndAaaaRecordWithItsTtlSortedIPv4First()
    {
        server.set("web.portgate.test", List.of(
            new DnsServer.Rr(InetAddress.ofLiteral("2001:db8::7"), 120),
            new DnsServer.Rr(InetAddress.ofLiteral("10.0.0.9"), 30),
            new DnsServer.Rr(InetAddress.ofLiteral("10.0.0.10"), 45),
            new DnsServer.Rr(InetAddress.ofLiteral("2001:db8::1"), 300)));

        final Resolution r = resolver.resolveNow("web.portgate.test");

        assertEquals(LookupOutcome.RESOLVED, r.outcome(), r.reason());
        // The records of one type are one RRset, which has one TTL: where the server's differ, the smallest
        // (RFC 2181 5.2).
        assertEquals(List.of(
            new AddressRecord(InetAddress.ofLiteral("10.0.0.9"), 30),
            new AddressRecord(InetAddress.ofLiteral("10.0.0.10"), 30),
            new AddressRecord(InetAddress.ofLiteral("2001:db8::1"), 120),
            new AddressRecord(InetAddress.ofLiteral("2001:db8::7"), 120)), r.records());
        assertEquals(List.of("A", "A", "AAAA", "AAAA"), r.records().stream().map(AddressRecord::type).toList());
        // Both questions went to the configured server, over UDP.
        assertEquals(2, server.questionsAbout("web.portgate.test"));
        assertEquals(List.of(1, 28), server.questions().stream().map(DnsServer.Question::type).sorted().toList());
    }

    @Test
    void onlyIPv4OrOnlyIPv6IsResolved()
    {
        server.set("four.portgate.test", "10.0.0.1");
        server.set("six.portgate.test", "2001:db8::1");

        assertEquals(List.of(InetAddress.ofLiteral("10.0.0.1")), resolver.resolveNow("four.portgate.test").addresses());
        assertEquals(List.of(InetAddress.ofLiteral("2001:db8::1")),
            resolver.resolveNow("six.portgate.test").addresses());
    }

    @Test
    void aCnameIsFollowed()
    {
        server.cname("alias.portgate.test", "real.portgate.test").set("real.portgate.test", "10.0.0.5");

        final Resolution r = resolver.resolveNow("alias.portgate.test");

        assertEquals(List.of(InetAddress.ofLiteral("10.0.0.5")), r.addresses(), r.reason());
        assertEquals("alias.portgate.test", r.name());
    }

    @Test
    void aNameThatDoesNotExistIsNxdomain()
    {
        final Resolution r = resolver.resolveNow("nothing.portgate.test");

        assertEquals(LookupOutcome.NXDOMAIN, r.outcome());
        assertTrue(r.records().isEmpty());
        assertTrue(r.reason().contains("NXDOMAIN") && r.reason().contains(server.text()), r.reason());
    }

    @Test
    void aNameWithoutAddressesHasNoRecords()
    {
        server.set("empty.portgate.test");

        final Resolution r = resolver.resolveNow("empty.portgate.test");

        assertEquals(LookupOutcome.NO_RECORDS, r.outcome(), r.reason());
        assertFalse(r.isResolved());
    }

    @Test
    void servfailAndRefusedAreReportedAsSuch()
    {
        server.set("broken.portgate.test", "10.0.0.1").behave("broken.portgate.test", DnsServer.Behaviour.SERVFAIL);
        server.set("closed.portgate.test", "10.0.0.1").behave("closed.portgate.test", DnsServer.Behaviour.REFUSED);

        assertEquals(LookupOutcome.SERVFAIL, resolver.resolveNow("broken.portgate.test").outcome());
        assertEquals(LookupOutcome.REFUSED, resolver.resolveNow("closed.portgate.test").outcome());
    }

    @Test
    void aTruncatedAnswerIsAskedAgainOverTcp()
    {
        server.set("big.portgate.test", "10.0.0.1", "10.0.0.2", "2001:db8::1")
            .behave("big.portgate.test", DnsServer.Behaviour.TRUNCATE);

        final Resolution r = resolver.resolveNow("big.portgate.test");

        assertEquals(List.of(InetAddress.ofLiteral("10.0.0.1"), InetAddress.ofLiteral("10.0.0.2"),
            InetAddress.ofLiteral("2001:db8::1")), r.addresses(), r.reason());
        assertEquals(2, server.tcpQuestions(), "A and AAAA asked again over TCP");
        assertEquals(2, server.udpQuestions());
    }

    @Test
    void aSilentServerTimesOutWithoutThrowing()
    {
        server.set("mute.portgate.test", "10.0.0.1").behave("mute.portgate.test", DnsServer.Behaviour.SILENT);
        final HostResolver quick = HostResolver.of(List.of(server.address()), Duration.ofMillis(400));

        final Resolution r = quick.resolveNow("mute.portgate.test");

        assertEquals(LookupOutcome.TIMEOUT, r.outcome(), r.reason());
        assertTrue(server.questionsAbout("mute.portgate.test") >= 2, "asked, and asked again");
    }

    @Test
    void aServerThatDoesNotAnswerIsPassedOverForTheNext()
    {
        try (DnsServer second = DnsServer.start())
        {
            server.set("web.portgate.test", "10.0.0.1").behave("web.portgate.test", DnsServer.Behaviour.SILENT);
            second.set("web.portgate.test", "10.0.0.2");
            final HostResolver both = HostResolver.of(List.of(server.address(), second.address()),
                Duration.ofSeconds(4));

            final Resolution r = both.resolveNow("web.portgate.test");

            assertEquals(List.of(InetAddress.ofLiteral("10.0.0.2")), r.addresses(), r.reason());
            assertTrue(server.questionsAbout("web.portgate.test") > 0, "the first server was asked first");
            assertEquals(server.text() + ", " + second.text(), both.description());
        }
    }

    @Test
    void aFailureOfOneTypeFailsTheLookupRatherThanReturningHalfTheAddresses()
    {
        server.set("half.portgate.test", "10.0.0.1", "2001:db8::1");
        assertEquals(2, resolver.resolveNow("half.portgate.test").records().size());

        // A answers, AAAA fails: the set would shrink to the IPv4 half, and the caller would drain the other half.
        server.behave("half.portgate.test", DnsServer.Behaviour.SERVFAIL, "AAAA");
        final Resolution servfail = resolver.resolveNow("half.portgate.test");
        assertEquals(LookupOutcome.SERVFAIL, servfail.outcome(), servfail.reason());
        assertTrue(servfail.records().isEmpty());

        final HostResolver quick = HostResolver.of(List.of(server.address()), Duration.ofMillis(400));
        server.behave("half.portgate.test", DnsServer.Behaviour.SILENT, "A");
        assertEquals(LookupOutcome.TIMEOUT, quick.resolveNow("half.portgate.test").outcome());

        // An answer that the name has no AAAA records is an answer: the A records are the set.
        server.set("four.portgate.test", "10.0.0.1").behave("four.portgate.test", DnsServer.Behaviour.NXDOMAIN,
            "AAAA");
        assertEquals(List.of(InetAddress.ofLiteral("10.0.0.1")), resolver.resolveNow("four.portgate.test")
            .addresses());
    }

    @Test
    void theConfiguredServersAreAskedNotTheSystemResolver()
    {
        // A name only this server knows: the answer can only have come from it.
        server.set("only-here.portgate.test", "192.0.2.77");

        final Resolution r = resolver.resolveNow("only-here.portgate.test");

        assertEquals(List.of(InetAddress.ofLiteral("192.0.2.77")), r.addresses(), r.reason());
        assertEquals(2, server.questionsAbout("only-here.portgate.test"));
        assertFalse(resolver.isSystem());
        assertEquals(server.text(), r.resolver());
    }

    @Test
    void namedServersAreNotShadowedByTheHostsFile()
    {
        // "localhost" is in /etc/hosts; a named server is asked anyway and its answer is the one used.
        server.set("localhost", "192.0.2.1");

        assertEquals(List.of(InetAddress.ofLiteral("192.0.2.1")), resolver.resolveNow("localhost").addresses());
    }

    @Test
    void theSystemResolverReadsTheHostsFileFirst()
    {
        final HostResolver system = HostResolver.system(Duration.ofSeconds(5));

        final Resolution r = system.resolveNow("localhost");

        assertTrue(system.isSystem());
        assertEquals(LookupOutcome.RESOLVED, r.outcome(), r.reason());
        assertTrue(r.addresses().stream().allMatch(InetAddress::isLoopbackAddress), r.records().toString());
        assertEquals(HostResolver.HOSTS_FILE.toString(), r.resolver());
        assertTrue(r.records().stream().allMatch(a -> a.ttlSeconds() == AddressRecord.UNKNOWN_TTL),
            "the hosts file has no TTLs: " + r.records());
    }

    @Test
    void aNameThatIsNotADnsNameFailsWithoutThrowing()
    {
        final Resolution r = resolver.resolveNow("a..b");

        assertEquals(LookupOutcome.ERROR, r.outcome());
        assertTrue(r.reason().contains("not a DNS name"), r.reason());
    }

    @Test
    void resolvingReturnsBeforeTheAnswerArrives()
    {
        server.set("mute.portgate.test", "10.0.0.1").behave("mute.portgate.test", DnsServer.Behaviour.SILENT);
        // A timeout no pause of this machine comes near: the future cannot be done before the test looks.
        final HostResolver patient = HostResolver.of(List.of(server.address()), Duration.ofMinutes(10));

        final var future = patient.resolve("mute.portgate.test");

        assertFalse(future.isDone(), "the caller is not held while the server stays silent");
        future.cancel(false);
    }

    @Test
    void anUnreachablePortIsAnErrorNotAnException() throws Exception
    {
        final int closedPort;
        try (java.net.DatagramSocket probe = new java.net.DatagramSocket(0, InetAddress.getLoopbackAddress()))
        {
            closedPort = probe.getLocalPort();
        }
        final HostResolver nobody = HostResolver.of(
            List.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), closedPort)), Duration.ofSeconds(2));

        final Resolution r = nobody.resolveNow("web.portgate.test");

        assertFalse(r.isResolved());
        assertTrue(r.outcome() == LookupOutcome.ERROR || r.outcome() == LookupOutcome.TIMEOUT, r.reason());
    }
}
