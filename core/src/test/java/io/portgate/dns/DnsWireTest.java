package io.portgate.dns;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link DnsWire}: the query it writes, byte for byte, and every rule of its reading, each shown on a message built
 * here by hand (RFC 1035 4.1); {@code DnsWireFuzzTest} covers the rest of the input space.
 */
class DnsWireTest
{
    private static final byte[] QNAME = { 3, 'w', 'e', 'b', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0 };

    @Test
    void aQueryAsksOneQuestionWithRecursionAndAdvertises1232BytesWithEdns()
    {
        final byte[] query = DnsWire.query(0xBEEF, DnsName.parse("web.example"), DnsWire.TYPE_AAAA);

        assertEquals("beef" + "0100" + "0001" + "0000" + "0000" + "0001" +
            HexFormat.of().formatHex(QNAME) + "001c" + "0001" +
            // OPT: root owner, type 41, payload 1232 (0x04d0) as its class, TTL 0 (version 0, no DO), no data.
            "00" + "0029" + "04d0" + "00000000" + "0000", HexFormat.of().formatHex(query));
    }

    @Test
    void anAnswerIsReadWithItsRecordsAndTtls()
    {
        final Msg m = new Msg(0x1234, 0x8180).question(QNAME, 1)
            .record(0, ptr(12), 5, 1, 300, name(2, "w2", ptr(16)))
            .record(0, name(2, "w2", ptr(16)), 1, 1, 60, new byte[]{ 10, 0, 0, 1 })
            .record(0, ptr(12), 28, 1, 0x8000_0000L, InetAddress.ofLiteral("2001:db8::1").getAddress())
            .record(1, ptr(16), 2, 1, 60, name(3, "ns1", ptr(16)))
            .record(2, new byte[]{ 0 }, 41, 1232, 0, new byte[0]);

        final DnsMessage message = parsed(m.bytes());

        assertEquals(0x1234, message.id());
        assertEquals(0, message.rcode());
        assertFalse(message.truncated());
        assertTrue(message.answers(0x1234, DnsName.parse("WEB.example"), 1), "the question, case aside");
        assertFalse(message.answers(0x1235, DnsName.parse("web.example"), 1), "another ID");
        assertFalse(message.answers(0x1234, DnsName.parse("web.example"), 28), "another type");
        assertFalse(message.answers(0x1234, DnsName.parse("www.example"), 1), "another name");
        assertEquals(3, message.answers().size(), "the NS of the authority section and the OPT are left out");
        final DnsMessage.Answer cname = message.answers().get(0);
        assertEquals(DnsName.parse("web.example"), cname.owner());
        assertEquals(DnsName.parse("w2.example"), cname.target());
        assertEquals(300, cname.ttl());
        assertEquals(new DnsMessage.Answer(DnsName.parse("w2.example"), 1, 1, 60, InetAddress.ofLiteral("10.0.0.1"),
            null), message.answers().get(1));
        assertEquals(0, message.answers().get(2).ttl(), "a TTL with the top bit set is read as 0 (RFC 2181 8)");
    }

    @Test
    void theRcodeTakesTheUpperBitsOfTheOptRecord()
    {
        // Extended RCODE 1 with header RCODE 0: 16, BADVERS.
        final Msg m = new Msg(1, 0x8100).question(QNAME, 1).record(2, new byte[]{ 0 }, 41, 1232, 0x0100_0000L,
            new byte[0]);

        assertEquals(16, parsed(m.bytes()).rcode());
        assertEquals(3, parsed(new Msg(1, 0x8183).question(QNAME, 1).bytes()).rcode());
    }

    @Test
    void aTruncatedAnswerIsReadAsFarAsItsQuestion()
    {
        // TC, counts that promise records, and no records after the question: what an old server sends.
        final byte[] bytes = new Msg(7, 0x8380).question(QNAME, 1).bytes();
        bytes[7] = 9;

        final DnsMessage message = parsed(bytes);

        assertTrue(message.truncated());
        assertTrue(message.answers(7, DnsName.parse("web.example"), 1));
        assertTrue(message.answers().isEmpty());
    }

    @Test
    void headersThatCannotBeAnAnswerAreRefused()
    {
        assertRejected(DnsWire.Reject.TOO_SHORT, new byte[11]);
        assertRejected(DnsWire.Reject.NOT_A_RESPONSE, new Msg(1, 0x0100).question(QNAME, 1).bytes());
        final byte[] tooMany = new Msg(1, 0x8180).question(QNAME, 1).bytes();
        tooMany[7] = 2;
        assertRejected(DnsWire.Reject.COUNTS_EXCEED_LENGTH, tooMany);
        final byte[] trailing = new Msg(1, 0x8180).question(QNAME, 1).bytes();
        assertRejected(DnsWire.Reject.TRAILING_BYTES, java.util.Arrays.copyOf(trailing, trailing.length + 1));
        assertRejected(DnsWire.Reject.TRUNCATED, java.util.Arrays.copyOf(trailing, trailing.length - 1));
    }

    @Test
    void compressionPointersMayOnlyPointBackToAPriorName()
    {
        // Into the header.
        assertRejected(DnsWire.Reject.BAD_POINTER, new Msg(1, 0x8180).question(ptr(4), 1).bytes());
        // At itself: the simplest loop.
        assertRejected(DnsWire.Reject.BAD_POINTER, new Msg(1, 0x8180).question(ptr(12), 1).bytes());
        // Forward, to the name of the record after it.
        assertRejected(DnsWire.Reject.BAD_POINTER, new Msg(1, 0x8180).question(QNAME, 1)
            .record(0, ptr(12 + 17 + 12), 1, 1, 1, new byte[4]).record(0, ptr(12), 1, 1, 1, new byte[4]).bytes());
        // Back, but into the labels of its own name: a.a.a... for ever, to a reader that only checks that a pointer
        // points below itself.
        assertRejected(DnsWire.Reject.BAD_POINTER, new Msg(1, 0x8180).question(QNAME, 1)
            .record(0, name(1, "a", ptr(12 + 17)), 1, 1, 1, new byte[4]).bytes());
        // Back to a name that itself points back: fine.
        final DnsMessage twice = parsed(new Msg(1, 0x8180).question(QNAME, 1)
            .record(0, name(1, "a", ptr(12)), 1, 1, 1, new byte[4])
            .record(0, name(1, "b", ptr(12 + 17)), 1, 1, 1, new byte[4]).bytes());
        assertEquals(DnsName.parse("b.a.web.example"), twice.answers().get(1).owner());
    }

    @Test
    void namesAreBoundedInLabelTypeAndLength()
    {
        assertRejected(DnsWire.Reject.BAD_LABEL_TYPE, new Msg(1, 0x8180).question(new byte[]{ 64, 0 }, 1).bytes());
        assertRejected(DnsWire.Reject.BAD_LABEL_TYPE, new Msg(1, 0x8180).question(new byte[]{ (byte)0x80, 0 }, 1)
            .bytes());
        // Five labels of 63: 320 bytes.
        final ByteArrayOutputStream longName = new ByteArrayOutputStream();
        for (int i = 0; i < 5; i++)
        {
            longName.write(63);
            longName.writeBytes("x".repeat(63).getBytes(StandardCharsets.US_ASCII));
        }
        longName.write(0);
        assertRejected(DnsWire.Reject.NAME_TOO_LONG, new Msg(1, 0x8180).question(longName.toByteArray(), 1).bytes());
        // 255 bytes exactly is a name: built from pointers to a 193-byte name, so compression counts too.
        final byte[] three = new byte[193];
        for (int i = 0; i < 3; i++)
        {
            three[i * 64] = 63;
            java.util.Arrays.fill(three, i * 64 + 1, i * 64 + 64, (byte)'y');
        }
        final byte[] plus61 = new byte[64];
        plus61[0] = 61;
        java.util.Arrays.fill(plus61, 1, 62, (byte)'z');
        plus61[62] = (byte)0xC0;
        plus61[63] = 12;
        final Msg ok = new Msg(1, 0x8180).question(three, 1).record(0, plus61, 1, 1, 1, new byte[4]);
        assertEquals(255, parsed(ok.bytes()).answers().getFirst().owner().wire().length);
        plus61[0] = 62;
        final byte[] plus62 = java.util.Arrays.copyOf(plus61, 65);
        plus62[62] = 'z';
        plus62[63] = (byte)0xC0;
        plus62[64] = 12;
        assertRejected(DnsWire.Reject.NAME_TOO_LONG, new Msg(1, 0x8180).question(three, 1)
            .record(0, plus62, 1, 1, 1, new byte[4]).bytes());
    }

    @Test
    void recordDataMustLieWithinTheMessageAndHaveItsTypesForm()
    {
        final byte[] past = new Msg(1, 0x8180).question(QNAME, 1).record(0, ptr(12), 1, 1, 1, new byte[4]).bytes();
        past[past.length - 5] = 5;
        assertRejected(DnsWire.Reject.BAD_RDLENGTH, past);
        assertRejected(DnsWire.Reject.BAD_RDATA, new Msg(1, 0x8180).question(QNAME, 1)
            .record(0, ptr(12), 1, 1, 1, new byte[5]).bytes());
        assertRejected(DnsWire.Reject.BAD_RDATA, new Msg(1, 0x8180).question(QNAME, 28)
            .record(0, ptr(12), 28, 1, 1, new byte[4]).bytes());
        // A CNAME whose name ends before its data does, and one whose name runs past it (a pointer cut in half by
        // the end of the data, though the message goes on).
        final byte[] target = name(1, "a", ptr(12));
        final byte[] longer = java.util.Arrays.copyOf(target, target.length + 1);
        assertRejected(DnsWire.Reject.BAD_RDATA, new Msg(1, 0x8180).question(QNAME, 1)
            .record(0, ptr(12), 5, 1, 1, longer).bytes());
        final byte[] cut = new Msg(1, 0x8180).question(QNAME, 1).record(0, ptr(12), 5, 1, 1, target)
            .record(0, ptr(12), 1, 1, 1, new byte[4]).bytes();
        cut[12 + 17 + 2 + 8 + 1] = 3;
        assertRejected(DnsWire.Reject.TRUNCATED, cut);
        // An A of class CH has another form, and is not an address: skipped, not refused.
        final DnsMessage chaos = parsed(new Msg(1, 0x8180).question(QNAME, 1).record(0, ptr(12), 1, 3, 1,
            new byte[7]).bytes());
        assertTrue(chaos.answers().isEmpty());
    }

    @Test
    void anOptRecordAppearsOnceInTheAdditionalSectionOwnedByTheRoot()
    {
        assertRejected(DnsWire.Reject.BAD_OPT, new Msg(1, 0x8180).question(QNAME, 1)
            .record(0, new byte[]{ 0 }, 41, 1232, 0, new byte[0]).bytes());
        assertRejected(DnsWire.Reject.BAD_OPT, new Msg(1, 0x8180).question(QNAME, 1)
            .record(2, ptr(12), 41, 1232, 0, new byte[0]).bytes());
        assertRejected(DnsWire.Reject.BAD_OPT, new Msg(1, 0x8180).question(QNAME, 1)
            .record(2, new byte[]{ 0 }, 41, 1232, 0, new byte[0]).record(2, new byte[]{ 0 }, 41, 512, 0, new byte[0])
            .bytes());
    }

    @Test
    void aRejectionSaysWhatAndWhere()
    {
        final DnsWire.Parsed parsed = DnsWire.parse(new Msg(1, 0x8180).question(ptr(4), 1).bytes(), 12 + 6);

        assertEquals("a compression pointer that does not point back to a prior name (at byte 12)",
            parsed.toString());
    }

    private static DnsMessage parsed(final byte[] bytes)
    {
        final DnsWire.Parsed parsed = DnsWire.parse(bytes, bytes.length);
        return assertInstanceOf(DnsMessage.class, parsed, () -> parsed + " in " + HexFormat.of().formatHex(bytes));
    }

    private static void assertRejected(final DnsWire.Reject reason, final byte[] bytes)
    {
        final DnsWire.Parsed parsed = DnsWire.parse(bytes, bytes.length);
        final DnsWire.Rejected rejected = assertInstanceOf(DnsWire.Rejected.class, parsed,
            () -> "parsed " + HexFormat.of().formatHex(bytes));
        assertEquals(reason, rejected.reason(), HexFormat.of().formatHex(bytes));
    }

    private static byte[] ptr(final int offset)
    {
        return new byte[]{ (byte)(0xC0 | offset >>> 8), (byte)offset };
    }

    private static byte[] name(final int length, final String label, final byte[] rest)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(length);
        out.writeBytes(label.getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(rest);
        return out.toByteArray();
    }

    /** A message built section by section, names given as the bytes they are on the wire. */
    private static final class Msg
    {
        private final int id;
        private final int flags;
        private final ByteArrayOutputStream questions = new ByteArrayOutputStream();
        private final List<ByteArrayOutputStream> sections = List.of(new ByteArrayOutputStream(),
            new ByteArrayOutputStream(), new ByteArrayOutputStream());
        private final int[] counts = new int[4];

        Msg(final int id, final int flags)
        {
            this.id = id;
            this.flags = flags;
        }

        Msg question(final byte[] name, final int type)
        {
            questions.writeBytes(name);
            short16(questions, type);
            short16(questions, 1);
            counts[0]++;
            return this;
        }

        Msg record(final int section, final byte[] name, final int type, final int dnsClass, final long ttl,
            final byte[] data)
        {
            final ByteArrayOutputStream out = sections.get(section);
            out.writeBytes(name);
            short16(out, type);
            short16(out, dnsClass);
            short16(out, (int)(ttl >>> 16));
            short16(out, (int)ttl);
            short16(out, data.length);
            out.writeBytes(data);
            counts[1 + section]++;
            return this;
        }

        byte[] bytes()
        {
            final ByteArrayOutputStream out = new ByteArrayOutputStream();
            short16(out, id);
            short16(out, flags);
            for (final int c : counts)
            {
                short16(out, c);
            }
            out.writeBytes(questions.toByteArray());
            sections.forEach(s -> out.writeBytes(s.toByteArray()));
            return out.toByteArray();
        }

        private static void short16(final ByteArrayOutputStream out, final int value)
        {
            out.write(value >>> 8 & 0xff);
            out.write(value & 0xff);
        }
    }
}
