package io.portgate.dns;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * The DNS wire format (RFC 1035 4, RFC 6891 for EDNS): writes a query and reads a response, strictly.
 *
 * <p>The parser trusts nothing in the message. Every count is checked against the bytes there are before anything
 * is read; every name is bounded (labels of 1 to 63 bytes, 255 bytes in all, no label types other than plain labels
 * and pointers); a compression pointer must point back into the message body, before the run of labels that holds
 * it (RFC 1035 4.1.4: "a prior occurrence"), which also makes every pointer loop a rejection; a record's data must
 * lie within the message and have the length its type has (4 bytes for A, 16 for AAAA, a CNAME's name exactly
 * filling it); an OPT record may appear once, in the additional section, owned by the root; and no byte may follow
 * the last record. A message with the TC bit is read as far as its question, which is all a client needs to ask
 * again over TCP. A message that breaks a rule is a {@link Rejected} saying which and where, never an exception.
 */
final class DnsWire
{
    /** The fixed header's length. */
    static final int HEADER_LENGTH = 12;
    /** The largest message: TCP's two-byte length prefix. */
    static final int MAX_MESSAGE_LENGTH = 65_535;
    /** The UDP payload a query advertises with EDNS: what fits a 1280-byte IPv6 MTU (DNS Flag Day 2020). */
    static final int EDNS_PAYLOAD = 1232;
    /** A. */
    static final int TYPE_A = 1;
    /** CNAME. */
    static final int TYPE_CNAME = 5;
    /** AAAA. */
    static final int TYPE_AAAA = 28;
    /** OPT, the EDNS pseudo-record. */
    static final int TYPE_OPT = 41;
    /** Class IN. */
    static final int CLASS_IN = 1;
    /** NOERROR. */
    static final int RCODE_NOERROR = 0;
    /** FORMERR. */
    static final int RCODE_FORMERR = 1;
    /** SERVFAIL. */
    static final int RCODE_SERVFAIL = 2;
    /** NXDOMAIN. */
    static final int RCODE_NXDOMAIN = 3;
    /** NOTIMP. */
    static final int RCODE_NOTIMP = 4;
    /** REFUSED. */
    static final int RCODE_REFUSED = 5;
    /** NXRRSET (RFC 2136): the name has no records of the type. */
    static final int RCODE_NXRRSET = 8;
    /** QR: a response. */
    static final int FLAG_QR = 0x8000;
    /** The OPCODE bits; 0 is a standard query. */
    static final int OPCODE_MASK = 0x7800;
    /** TC: truncated. */
    static final int FLAG_TC = 0x0200;
    /** RD: recursion desired. */
    static final int FLAG_RD = 0x0100;
    /** A name needs at least its root's zero byte, a question four more. */
    static final int MIN_QUESTION_LENGTH = 5;
    /** A record needs a name and ten fixed bytes. */
    static final int MIN_RECORD_LENGTH = 11;
    /** Pointers followed in one name at most: more than a name of 255 bytes can have labels. */
    static final int MAX_POINTERS = 128;

    private static final int SECTION_ANSWER = 0;
    private static final int SECTION_ADDITIONAL = 2;

    /** What reading a message gave: the message, or why it was refused. */
    sealed interface Parsed permits DnsMessage, Rejected
    {
    }

    /** Why a message was refused. */
    enum Reject
    {
        /** Shorter than the header. */
        TOO_SHORT("shorter than a DNS header"),
        /** Longer than a DNS message can be. */
        TOO_LONG("longer than 65535 bytes"),
        /** The QR bit is clear: a query, not a response. */
        NOT_A_RESPONSE("a query, not a response"),
        /** The header counts more questions and records than the message has room for. */
        COUNTS_EXCEED_LENGTH("the header counts more questions and records than the message holds"),
        /** A name, question or record runs past the end of the message. */
        TRUNCATED("a name, question or record runs past the end"),
        /** A label of an obsolete or unknown type (its first byte 0x40-0xBF). */
        BAD_LABEL_TYPE("a label of an unknown type"),
        /** A compression pointer that points into the header, forward, into its own name, or too often. */
        BAD_POINTER("a compression pointer that does not point back to a prior name"),
        /** A name longer than 255 bytes. */
        NAME_TOO_LONG("a name longer than 255 bytes"),
        /** A record whose data runs past the end of the message. */
        BAD_RDLENGTH("a record's data runs past the end"),
        /** An A, AAAA or CNAME record whose data has not that type's form. */
        BAD_RDATA("a record's data does not have its type's form"),
        /** An OPT record outside the additional section, not owned by the root, or more than one. */
        BAD_OPT("a misplaced or repeated OPT record"),
        /** Bytes after the last record. */
        TRAILING_BYTES("bytes after the last record");

        private final String text;

        Reject(final String text)
        {
            this.text = text;
        }

        /**
         * What is wrong, for messages.
         *
         * @return e.g. {@code a name longer than 255 bytes}.
         */
        String text()
        {
            return text;
        }
    }

    /**
     * A message refused.
     *
     * @param reason why.
     * @param offset where in the message the reader was.
     */
    record Rejected(Reject reason, int offset) implements Parsed
    {
        @Override
        public String toString()
        {
            return reason.text() + " (at byte " + offset + ")";
        }
    }

    private DnsWire()
    {
    }

    /**
     * Writes a standard query with recursion desired and an EDNS OPT record advertising {@value #EDNS_PAYLOAD} bytes.
     *
     * @param id   the ID, 0 to 65535.
     * @param name the name asked.
     * @param type the type asked.
     * @return the message.
     */
    static byte[] query(final int id, final DnsName name, final int type)
    {
        final byte[] qname = name.wire();
        final byte[] out = new byte[HEADER_LENGTH + qname.length + 4 + 11];
        putShort(out, 0, id);
        putShort(out, 2, FLAG_RD);
        putShort(out, 4, 1);
        putShort(out, 10, 1);
        int at = HEADER_LENGTH;
        System.arraycopy(qname, 0, out, at, qname.length);
        at += qname.length;
        putShort(out, at, type);
        putShort(out, at + 2, CLASS_IN);
        at += 4;
        // OPT: the root, its type, the payload size as its class, extended RCODE 0, version 0, no flags, no data.
        out[at] = 0;
        putShort(out, at + 1, TYPE_OPT);
        putShort(out, at + 3, EDNS_PAYLOAD);
        return out;
    }

    /**
     * Reads a response.
     *
     * @param message the bytes.
     * @param length  how many of them are the message.
     * @return the message, or why it was refused; never throws.
     */
    static Parsed parse(final byte[] message, final int length)
    {
        try
        {
            return new Reader(message, length).read();
        }
        catch (final Malformed ex)
        {
            return new Rejected(ex.reason, ex.offset);
        }
    }

    private static void putShort(final byte[] out, final int at, final int value)
    {
        out[at] = (byte)(value >>> 8);
        out[at + 1] = (byte)value;
    }

    /** A rule broken: thrown inside the reader and caught by {@link #parse}, so it carries no stack trace. */
    private static final class Malformed extends Exception
    {
        private static final long serialVersionUID = 1L;
        private final Reject reason;
        private final int offset;

        Malformed(final Reject reason, final int offset)
        {
            super(reason.name(), null, false, false);
            this.reason = reason;
            this.offset = offset;
        }
    }

    /** Reads one message front to back. */
    private static final class Reader
    {
        private final byte[] m;
        private final int length;
        private int at;
        private boolean sawOpt;
        private int extendedRcode;

        Reader(final byte[] message, final int length)
        {
            this.m = message;
            this.length = length;
        }

        DnsMessage read() throws Malformed
        {
            if (length < HEADER_LENGTH)
            {
                throw new Malformed(Reject.TOO_SHORT, 0);
            }
            if (length > MAX_MESSAGE_LENGTH || length > m.length)
            {
                throw new Malformed(Reject.TOO_LONG, 0);
            }
            final int id = u16(0);
            final int flags = u16(2);
            if ((flags & FLAG_QR) == 0)
            {
                throw new Malformed(Reject.NOT_A_RESPONSE, 2);
            }
            final int questionCount = u16(4);
            final int recordCount = u16(6) + u16(8) + u16(10);
            final boolean truncated = (flags & FLAG_TC) != 0;
            // A truncated message's records are not read, so its counts may promise more than it holds.
            final long least = HEADER_LENGTH + (long)MIN_QUESTION_LENGTH * questionCount +
                (truncated ? 0 : (long)MIN_RECORD_LENGTH * recordCount);
            if (least > length)
            {
                throw new Malformed(Reject.COUNTS_EXCEED_LENGTH, 4);
            }
            at = HEADER_LENGTH;
            final List<DnsMessage.Question> questions = new ArrayList<>(questionCount);
            for (int i = 0; i < questionCount; i++)
            {
                final DnsName name = name(length);
                need(4);
                questions.add(new DnsMessage.Question(name, u16(at), u16(at + 2)));
                at += 4;
            }
            if (truncated)
            {
                return new DnsMessage(id, flags, flags & 0xf, true, questions, List.of());
            }
            final List<DnsMessage.Answer> answers = new ArrayList<>();
            final int answerCount = u16(6);
            final int additionalStart = answerCount + u16(8);
            for (int i = 0; i < recordCount; i++)
            {
                final int section = i < answerCount ? SECTION_ANSWER : i < additionalStart ? 1 : SECTION_ADDITIONAL;
                final DnsMessage.Answer answer = record(section);
                if (answer != null && section == SECTION_ANSWER)
                {
                    answers.add(answer);
                }
            }
            if (at != length)
            {
                throw new Malformed(Reject.TRAILING_BYTES, at);
            }
            return new DnsMessage(id, flags, extendedRcode << 4 | flags & 0xf, false, questions, answers);
        }

        /** One record; the A, AAAA or CNAME it is, or null for another type. */
        private DnsMessage.Answer record(final int section) throws Malformed
        {
            final int start = at;
            final DnsName owner = name(length);
            need(10);
            final int type = u16(at);
            final int dnsClass = u16(at + 2);
            final long rawTtl = u32(at + 4);
            final int dataLength = u16(at + 8);
            at += 10;
            if (dataLength > length - at)
            {
                throw new Malformed(Reject.BAD_RDLENGTH, at - 2);
            }
            final int dataStart = at;
            final int dataEnd = at + dataLength;
            // RFC 2181 8: a TTL with the top bit set is read as zero.
            final long ttl = rawTtl > Integer.MAX_VALUE ? 0 : rawTtl;
            DnsMessage.Answer answer = null;
            switch (type)
            {
                case TYPE_A, TYPE_AAAA ->
                {
                    if (dnsClass == CLASS_IN)
                    {
                        if (dataLength != (type == TYPE_A ? 4 : 16))
                        {
                            throw new Malformed(Reject.BAD_RDATA, dataStart);
                        }
                        answer = new DnsMessage.Answer(owner, type, dnsClass, ttl, address(dataStart, dataLength),
                            null);
                    }
                }
                case TYPE_CNAME ->
                {
                    final DnsName target = name(dataEnd);
                    if (at != dataEnd)
                    {
                        throw new Malformed(Reject.BAD_RDATA, at);
                    }
                    answer = new DnsMessage.Answer(owner, type, dnsClass, ttl, null, target);
                }
                case TYPE_OPT ->
                {
                    if (section != SECTION_ADDITIONAL || !owner.isRoot() || sawOpt)
                    {
                        throw new Malformed(Reject.BAD_OPT, start);
                    }
                    sawOpt = true;
                    extendedRcode = (int)(rawTtl >>> 24);
                }
                default ->
                {
                    // Not needed to look up addresses: its data is skipped, within the bounds checked above.
                }
            }
            at = dataEnd;
            return answer;
        }

        /**
         * Reads a name at {@link #at}, whose labels (before any pointer) must end by {@code bound}; leaves
         * {@link #at} after its zero byte or its first pointer.
         */
        private DnsName name(final int bound) throws Malformed
        {
            final byte[] wire = new byte[DnsName.MAX_WIRE_LENGTH];
            int wireLength = 0;
            int labels = 0;
            int read = at;
            int limit = bound;
            int segmentStart = at;
            int pointers = 0;
            int end = -1;
            while (true)
            {
                if (read >= limit)
                {
                    throw new Malformed(Reject.TRUNCATED, read);
                }
                final int first = m[read] & 0xff;
                if (first == 0)
                {
                    read++;
                    break;
                }
                final int kind = first & 0xc0;
                if (kind == 0xc0)
                {
                    if (read + 1 >= limit)
                    {
                        throw new Malformed(Reject.TRUNCATED, read);
                    }
                    final int target = (first & 0x3f) << 8 | m[read + 1] & 0xff;
                    if (target < HEADER_LENGTH || target >= segmentStart || ++pointers > MAX_POINTERS)
                    {
                        throw new Malformed(Reject.BAD_POINTER, read);
                    }
                    if (end < 0)
                    {
                        end = read + 2;
                    }
                    read = target;
                    segmentStart = target;
                    // What a pointer reaches lies before the name, so within the message, not the record's data.
                    limit = length;
                    continue;
                }
                if (kind != 0)
                {
                    throw new Malformed(Reject.BAD_LABEL_TYPE, read);
                }
                if (wireLength + 1 + first + 1 > DnsName.MAX_WIRE_LENGTH)
                {
                    throw new Malformed(Reject.NAME_TOO_LONG, read);
                }
                if (first > limit - read - 1)
                {
                    throw new Malformed(Reject.TRUNCATED, read);
                }
                System.arraycopy(m, read, wire, wireLength, 1 + first);
                wireLength += 1 + first;
                labels++;
                read += 1 + first;
            }
            at = end >= 0 ? end : read;
            wire[wireLength++] = 0;
            return DnsName.ofWire(java.util.Arrays.copyOf(wire, wireLength), labels);
        }

        private InetAddress address(final int start, final int size)
        {
            final byte[] bytes = java.util.Arrays.copyOfRange(m, start, start + size);
            try
            {
                return InetAddress.getByAddress(bytes);
            }
            catch (final UnknownHostException impossible)
            {
                // Only thrown for a length other than 4 or 16, checked above.
                throw new IllegalStateException(impossible);
            }
        }

        private void need(final int bytes) throws Malformed
        {
            if (bytes > length - at)
            {
                throw new Malformed(Reject.TRUNCATED, at);
            }
        }

        private int u16(final int offset)
        {
            return (m[offset] & 0xff) << 8 | m[offset + 1] & 0xff;
        }

        private long u32(final int offset)
        {
            return (long)u16(offset) << 16 | u16(offset + 2);
        }
    }
}
