package io.portgate.dns;

import io.portgate.testing.DnsServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The system resolver ({@link HostResolver#system}) as glibc behaves with {@code hosts: files dns}: a hosts file and
 * a resolv.conf written here, whose {@code nameserver 127.0.0.1} is the in-process DNS server (its port given apart,
 * since resolv.conf has no way to write one). The machine's own files are read in {@code HostResolverTest},
 * {@code HostsFileTest} and {@code ResolvConfTest}.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SystemResolverTest
{
    @TempDir
    Path dir;

    private DnsServer server;
    private Path hosts;
    private Path resolvConf;

    @BeforeEach
    void start() throws IOException
    {
        server = DnsServer.start();
        hosts = dir.resolve("hosts");
        resolvConf = dir.resolve("resolv.conf");
        Files.writeString(hosts, """
            127.0.0.1 localhost
            10.9.9.9  pinned.portgate.test
            10.9.9.8  pinned.portgate.test
            ::1       pinned.portgate.test
            """);
        resolvConf("nameserver 127.0.0.1\nsearch a.portgate.test b.portgate.test\n");
    }

    @AfterEach
    void stop()
    {
        server.close();
    }

    private void resolvConf(final String text) throws IOException
    {
        final boolean existed = Files.exists(resolvConf);
        Files.writeString(resolvConf, text);
        if (existed)
        {
            // A later modification time than the last version's, whatever the file system's clock granularity.
            Files.setLastModifiedTime(resolvConf, FileTime.from(Instant.now().plusSeconds(10)));
        }
    }

    private HostResolver system(final Duration timeout, final Map<String, String> env)
    {
        return HostResolver.system(timeout, hosts, resolvConf, env, server.address().getPort());
    }

    private HostResolver system()
    {
        return system(Duration.ofSeconds(5), Map.of());
    }

    /** The names asked for A records, in order. */
    private List<String> askedForA()
    {
        return server.questions().stream().filter(q -> q.type() == 1).map(DnsServer.Question::name).toList();
    }

    @Test
    void theHostsFileComesFirstWithEveryAddressItListsForTheName()
    {
        server.set("pinned.portgate.test", "192.0.2.1");

        final Resolution r = system().resolveNow("pinned.portgate.test");

        assertEquals(List.of(InetAddress.ofLiteral("10.9.9.8"), InetAddress.ofLiteral("10.9.9.9"),
            InetAddress.ofLiteral("::1")), r.addresses(), r.reason());
        assertEquals(hosts.toString(), r.resolver());
        assertEquals(List.of(), server.questions(), "DNS is not asked");
    }

    @Test
    void aShortNameIsTriedWithEachSearchDomainInTurnBeforeItself()
    {
        server.set("web.b.portgate.test", "10.0.0.2");
        final HostResolver system = system();

        final Resolution r = system.resolveNow("web");

        assertEquals(List.of(InetAddress.ofLiteral("10.0.0.2")), r.addresses(), r.reason());
        assertEquals(List.of("web.a.portgate.test", "web.b.portgate.test"), askedForA());
        assertEquals("the system resolver (" + hosts + ", then " + server.text() + " from " + resolvConf + ")",
            r.resolver());
        assertEquals(List.of(server.address()), system.servers());
    }

    @Test
    void aNameWithNdotsDotsIsAskedAsWrittenFirst() throws IOException
    {
        server.set("web.portgate", "10.0.0.7");
        assertEquals(List.of(InetAddress.ofLiteral("10.0.0.7")), system().resolveNow("web.portgate").addresses());
        assertEquals(List.of("web.portgate"), askedForA());

        resolvConf("nameserver 127.0.0.1\nsearch a.portgate.test b.portgate.test\noptions ndots:2\n");
        assertEquals(List.of(InetAddress.ofLiteral("10.0.0.7")), system().resolveNow("web.portgate").addresses());
        assertEquals(List.of("web.portgate", "web.portgate.a.portgate.test", "web.portgate.b.portgate.test",
            "web.portgate"), askedForA());
    }

    @Test
    void aNameWithATrailingDotIsAskedAsWrittenAlone()
    {
        final Resolution r = system().resolveNow("web.");

        assertEquals(LookupOutcome.NXDOMAIN, r.outcome(), r.reason());
        assertEquals(List.of("web"), askedForA());
    }

    @Test
    void aNameThatExistsWithoutTheTypeEndsTheSearch()
    {
        // web.a has an A record and no AAAA: the AAAA question stops there rather than take web.b's.
        server.set("web.a.portgate.test", "10.0.0.1").set("web.b.portgate.test", "2001:db8::2");

        final Resolution r = system().resolveNow("web");

        assertEquals(List.of(InetAddress.ofLiteral("10.0.0.1")), r.addresses(), r.reason());
        assertEquals(0, server.questionsAbout("web.b.portgate.test"));
    }

    @Test
    void theEnvironmentOverridesTheSearchListAndNdots()
    {
        server.set("web", "10.0.0.3");
        final HostResolver system = system(Duration.ofSeconds(5), Map.of("LOCALDOMAIN", "c.portgate.test",
            "RES_OPTIONS", "ndots:0"));

        assertEquals(List.of(InetAddress.ofLiteral("10.0.0.3")), system.resolveNow("web").addresses());
        assertEquals(List.of("web"), askedForA(), "ndots:0: asked as written first, and it exists");

        server.remove("web");
        assertEquals(LookupOutcome.NXDOMAIN, system.resolveNow("web").outcome());
        assertEquals(List.of("web", "web", "web.c.portgate.test"), askedForA());
    }

    @Test
    void resolvConfSaysHowLongToWaitAndHowOftenToAsk() throws IOException
    {
        server.set("mute.portgate.test", "10.0.0.1").behave("mute.portgate.test", DnsServer.Behaviour.SILENT);

        // One attempt of one second each, though the lookup may take a minute.
        resolvConf("nameserver 127.0.0.1\noptions attempts:1 timeout:1\n");
        final Resolution once = system(Duration.ofMinutes(1), Map.of()).resolveNow("mute.portgate.test");
        assertEquals(LookupOutcome.TIMEOUT, once.outcome(), once.reason());
        assertEquals(2, server.questionsAbout("mute.portgate.test"), "A and AAAA, once each");

        // Three attempts of one second each: were the minute shared among them, the class's time limit would end it.
        resolvConf("nameserver 127.0.0.1\noptions attempts:3 timeout:1\n");
        final Resolution thrice = system(Duration.ofMinutes(1), Map.of()).resolveNow("mute.portgate.test");
        assertEquals(LookupOutcome.TIMEOUT, thrice.outcome(), thrice.reason());
        assertEquals(2 + 6, server.questionsAbout("mute.portgate.test"), "A and AAAA, three times each");
    }

    @Test
    void anEditedResolvConfAppliesToTheNextLookup() throws IOException
    {
        server.set("web.b.portgate.test", "10.0.0.2").set("web.c.portgate.test", "10.0.0.3");
        final HostResolver system = system();
        assertEquals(List.of(InetAddress.ofLiteral("10.0.0.2")), system.resolveNow("web").addresses());

        resolvConf("nameserver 127.0.0.1\nsearch c.portgate.test\n");

        assertEquals(List.of(InetAddress.ofLiteral("10.0.0.3")), system.resolveNow("web").addresses());
    }

    @Test
    void withoutFilesTheLocalHostIsAsked() throws IOException
    {
        Files.delete(hosts);
        Files.delete(resolvConf);
        server.set("web", "10.0.0.4");
        final HostResolver system = system();

        assertEquals(List.of(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.address().getPort())),
            system.servers());
        assertEquals("the system resolver (" + server.text() + " from " + resolvConf + ")", system.description());
        assertEquals(List.of(InetAddress.ofLiteral("10.0.0.4")), system.resolveNow("web").addresses());
        assertTrue(system.isSystem());
    }
}
