package io.portgate.dns;

import io.portgate.testing.DnsServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link HostResolver} on the wire, against the in-process DNS server on 127.0.0.1: what the queries carry, and
 * what a lookup makes of what real servers send (compressed names, CNAME chains whole, cut short or looping) and of
 * datagrams that are not the answer (forged IDs, other questions, malformed bytes).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HostResolverWireTest
{
    private static final InetAddress FORGED_V4 = InetAddress.ofLiteral("10.66.66.66");
    private static final InetAddress FORGED_V6 = InetAddress.ofLiteral("2001:db8::6666");

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

    private static List<InetAddress> addresses(final String... literals)
    {
        return java.util.Arrays.stream(literals).map(InetAddress::ofLiteral).toList();
    }

    @Test
    void everyQueryAdvertisesA1232BytePayloadAndHasItsOwnRandomId()
    {
        server.set("web.portgate.test", "10.0.0.1");
        for (int i = 0; i < 10; i++)
        {
            assertEquals(addresses("10.0.0.1"), resolver.resolveNow("web.portgate.test").addresses());
        }

        final List<DnsServer.Question> questions = server.questions();
        assertEquals(20, questions.size());
        assertTrue(questions.stream().allMatch(q -> q.ednsPayload() == 1232), questions.toString());
        // Sixteen random bits each: twenty of them all but never collide more than a little.
        assertTrue(questions.stream().map(DnsServer.Question::id).distinct().count() >= 10, questions.toString());
    }

    @Test
    void compressedAnswersAreReadOverUdpAndTcp()
    {
        server.compress(true).cname("alias.portgate.test", "real.portgate.test")
            .set("real.portgate.test", "10.0.0.5", "10.0.0.6", "2001:db8::5");

        assertEquals(addresses("10.0.0.5", "10.0.0.6", "2001:db8::5"),
            resolver.resolveNow("alias.portgate.test").addresses());

        server.behave("alias.portgate.test", DnsServer.Behaviour.TRUNCATE);
        final Resolution overTcp = resolver.resolveNow("alias.portgate.test");
        assertEquals(addresses("10.0.0.5", "10.0.0.6", "2001:db8::5"), overTcp.addresses(), overTcp.reason());
        assertEquals(2, server.tcpQuestions());
    }

    @Test
    void aChainThatStopsShortIsAskedOnFromItsLastName()
    {
        // A server that answers an alias with its CNAME alone: the client asks for the target itself.
        server.followCnames(false).cname("a.portgate.test", "b.portgate.test").cname("b.portgate.test",
            "c.portgate.test").set("c.portgate.test", List.of(new DnsServer.Rr(InetAddress.ofLiteral("10.0.0.5"), 40),
            new DnsServer.Rr(InetAddress.ofLiteral("2001:db8::5"), 50)));

        final Resolution r = resolver.resolveNow("a.portgate.test");

        assertEquals(List.of(new AddressRecord(InetAddress.ofLiteral("10.0.0.5"), 40),
            new AddressRecord(InetAddress.ofLiteral("2001:db8::5"), 50)), r.records(), r.reason());
        assertEquals("a.portgate.test", r.name());
        assertEquals(List.of(2L, 2L, 2L), List.of(server.questionsAbout("a.portgate.test"),
            server.questionsAbout("b.portgate.test"), server.questionsAbout("c.portgate.test")));
    }

    @Test
    void aChainOfEightLinksIsFollowedAndANinthIsAnError()
    {
        for (int i = 0; i < 9; i++)
        {
            server.cname("c" + i + ".portgate.test", "c" + (i + 1) + ".portgate.test");
        }
        server.set("c9.portgate.test", "10.0.0.9");

        assertEquals(addresses("10.0.0.9"), resolver.resolveNow("c1.portgate.test").addresses());
        final Resolution nine = resolver.resolveNow("c0.portgate.test");
        assertEquals(LookupOutcome.ERROR, nine.outcome(), nine.reason());
        assertTrue(nine.reason().contains("more than 8 CNAMEs from c0.portgate.test"), nine.reason());
    }

    @Test
    void aCnameLoopIsAnError()
    {
        server.followCnames(false).cname("ping.portgate.test", "pong.portgate.test")
            .cname("pong.portgate.test", "PING.portgate.test");

        final Resolution r = resolver.resolveNow("ping.portgate.test");

        assertEquals(LookupOutcome.ERROR, r.outcome(), r.reason());
        assertTrue(r.reason().contains("a CNAME loop: pong.portgate.test points back to ping.portgate.test"),
            r.reason());
    }

    @Test
    void forgedAndStrayDatagramsAreIgnoredAndTheAnswerTaken()
    {
        server.set("web.portgate.test", "10.0.0.1", "2001:db8::1").respond("web.portgate.test",
            (query, answer, tcp) -> List.of(
                // A late or forged answer: another ID.
                forged(query, DnsServer.id(query) ^ 0x5a5a, questionOf(query), typeOf(query)),
                // The ID, but another question: another name, then another type.
                forged(query, DnsServer.id(query), question("evil.portgate.test", typeOf(query)), typeOf(query)),
                forged(query, DnsServer.id(query), question("web.portgate.test", otherType(query)),
                    otherType(query)),
                // Not DNS at all, too short to have an ID.
                new byte[]{ 42 },
                answer));

        final Resolution r = resolver.resolveNow("web.portgate.test");

        assertEquals(addresses("10.0.0.1", "2001:db8::1"), r.addresses(), r.reason());
        assertEquals(2, server.udpQuestions(), "each question asked once: the wrong datagrams cost no attempt");
        assertEquals(0, server.tcpQuestions());
    }

    @Test
    void anAnswerIsTakenWhateverTheCaseOfItsQuestion()
    {
        // Compressed, so the records' owners point at the question the server wrote in upper case.
        server.compress(true).set("web.portgate.test", "10.0.0.1").respond("web.portgate.test",
            (query, answer, tcp) -> List.of(upperCaseQuestion(answer)));

        assertEquals(addresses("10.0.0.1"), resolver.resolveNow("Web.Portgate.Test").addresses());
    }

    @Test
    void aMalformedAnswerWithTheQueryIdIsAnErrorThatSaysWhy()
    {
        server.set("web.portgate.test", "10.0.0.1").respond("web.portgate.test",
            (query, answer, tcp) -> List.of(pointerLoop(query)));

        final Resolution r = resolver.resolveNow("web.portgate.test");

        assertEquals(LookupOutcome.ERROR, r.outcome(), r.reason());
        assertTrue(r.reason().contains("a malformed answer from " + server.text() + ": a compression pointer that " +
            "does not point back to a prior name"), r.reason());
    }

    @Test
    void aTcpAnswerToAnotherQueryIsAnError()
    {
        server.set("big.portgate.test", "10.0.0.1").behave("big.portgate.test", DnsServer.Behaviour.TRUNCATE)
            .respond("big.portgate.test", (query, answer, tcp) ->
                List.of(tcp ? DnsServer.withId(answer, DnsServer.id(answer) ^ 1) : answer));

        final Resolution r = resolver.resolveNow("big.portgate.test");

        assertEquals(LookupOutcome.ERROR, r.outcome(), r.reason());
        assertTrue(r.reason().contains("over TCP is not one to the question asked"), r.reason());
    }

    @Test
    void aTtlWithItsTopBitSetIsZero()
    {
        server.set("web.portgate.test", List.of(new DnsServer.Rr(InetAddress.ofLiteral("10.0.0.1"), 0x8000_0000L)));

        assertEquals(List.of(new AddressRecord(InetAddress.ofLiteral("10.0.0.1"), 0)),
            resolver.resolveNow("web.portgate.test").records());
    }

    @Test
    void aServerThatFailedIsAskedAfterTheOthersNextTime()
    {
        try (DnsServer second = DnsServer.start())
        {
            server.set("web.portgate.test", "10.0.0.1").behave("web.portgate.test", DnsServer.Behaviour.SILENT);
            second.set("web.portgate.test", "10.0.0.2");
            final HostResolver both = HostResolver.of(List.of(server.address(), second.address()),
                Duration.ofSeconds(4));

            assertEquals(addresses("10.0.0.2"), both.resolveNow("web.portgate.test").addresses());
            final long silentAsked = server.questionsAbout("web.portgate.test");
            assertEquals(2, silentAsked, "the first server first, once per question");

            assertEquals(addresses("10.0.0.2"), both.resolveNow("web.portgate.test").addresses());
            assertEquals(silentAsked, server.questionsAbout("web.portgate.test"), "the silent server not again");
            assertEquals(4, second.questionsAbout("web.portgate.test"));
        }
    }

    // ---- messages written by hand

    private static int typeOf(final byte[] query)
    {
        final int at = 12 + nameLength(query, 12);
        return (query[at] & 0xff) << 8 | query[at + 1] & 0xff;
    }

    private static int otherType(final byte[] query)
    {
        return typeOf(query) == 1 ? 28 : 1;
    }

    private static int nameLength(final byte[] message, final int start)
    {
        int at = start;
        while (message[at] != 0)
        {
            at += 1 + message[at];
        }
        return at + 1 - start;
    }

    private static byte[] questionOf(final byte[] query)
    {
        return java.util.Arrays.copyOfRange(query, 12, 12 + nameLength(query, 12) + 4);
    }

    private static byte[] question(final String name, final int type)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (final String label : name.split("\\."))
        {
            out.write(label.length());
            out.writeBytes(label.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        }
        out.write(0);
        out.write(0);
        out.write(type);
        out.write(0);
        out.write(1);
        return out.toByteArray();
    }

    /** A well-formed answer with a forged record: the header, the question given, one record owned by it. */
    private static byte[] forged(final byte[] query, final int id, final byte[] question, final int type)
    {
        final byte[] address = (type == 1 ? FORGED_V4 : FORGED_V6).getAddress();
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[]{ (byte)(id >>> 8), (byte)id, (byte)0x81, (byte)0x80, 0, 1, 0, 1, 0, 0, 0, 0 });
        out.writeBytes(question);
        out.writeBytes(new byte[]{ (byte)0xC0, 12, 0, (byte)type, 0, 1, 0, 0, 0, 60, 0, (byte)address.length });
        out.writeBytes(address);
        return out.toByteArray();
    }

    /** An answer whose one record's owner is a pointer to itself. */
    private static byte[] pointerLoop(final byte[] query)
    {
        final byte[] question = questionOf(query);
        final int owner = 12 + question.length;
        final byte[] message = forged(query, DnsServer.id(query), question, typeOf(query));
        message[owner] = (byte)(0xC0 | owner >>> 8);
        message[owner + 1] = (byte)owner;
        return message;
    }

    private static byte[] upperCaseQuestion(final byte[] answer)
    {
        final byte[] copy = answer.clone();
        final int end = 12 + nameLength(answer, 12);
        final String upper = new String(copy, 12, end - 12, java.nio.charset.StandardCharsets.ISO_8859_1)
            .toUpperCase(Locale.ROOT);
        System.arraycopy(upper.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1), 0, copy, 12, end - 12);
        return copy;
    }
}
