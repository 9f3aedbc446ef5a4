package io.portgate.dns;

import java.net.InetAddress;
import java.util.List;

/**
 * A DNS response as {@link DnsWire#parse} read it: the header's fields, the question, and of the answer section the
 * records a lookup of addresses uses (A, AAAA and CNAME; the others, and the authority and additional sections, are
 * checked and left out).
 *
 * @param id        the message ID.
 * @param flags     the header's flag bits, RCODE included.
 * @param rcode     the response code, with the upper bits of an EDNS OPT record's extended RCODE.
 * @param truncated the TC bit: the answer did not fit and only the header and question were read.
 * @param questions the question section.
 * @param answers   the A, AAAA and CNAME records of the answer section, in order.
 */
record DnsMessage(int id, int flags, int rcode, boolean truncated, List<Question> questions, List<Answer> answers)
    implements DnsWire.Parsed
{
    /**
     * A question.
     *
     * @param name     the name asked.
     * @param type     its type ({@link DnsWire#TYPE_A}...).
     * @param dnsClass its class ({@link DnsWire#CLASS_IN}).
     */
    record Question(DnsName name, int type, int dnsClass)
    {
    }

    /**
     * A record of the answer section.
     *
     * @param owner    the name it belongs to.
     * @param type     {@link DnsWire#TYPE_A}, {@link DnsWire#TYPE_AAAA} or {@link DnsWire#TYPE_CNAME}.
     * @param dnsClass its class.
     * @param ttl      its time to live in seconds, 0 to 2^31-1 (a larger one is read as 0, RFC 2181 8).
     * @param address  the address of an A or AAAA record of class IN, else null.
     * @param target   the name a CNAME points to, else null.
     */
    record Answer(DnsName owner, int type, int dnsClass, long ttl, InetAddress address, DnsName target)
    {
    }

    /**
     * Copies the lists so the record stays immutable.
     */
    DnsMessage
    {
        questions = List.copyOf(questions);
        answers = List.copyOf(answers);
    }

    /**
     * Whether this is the answer to a query: the same ID, a standard query, and the one question asked (the name
     * compared as DNS does, without regard to case).
     *
     * @param queryId the query's ID.
     * @param name    the name asked.
     * @param type    the type asked.
     * @return true when it answers that query.
     */
    boolean answers(final int queryId, final DnsName name, final int type)
    {
        if (id != queryId || (flags & DnsWire.OPCODE_MASK) != 0 || questions.size() != 1)
        {
            return false;
        }
        final Question q = questions.getFirst();
        return q.type == type && q.dnsClass == DnsWire.CLASS_IN && q.name.equals(name);
    }
}
