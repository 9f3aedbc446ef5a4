package io.portgate.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A DNS server on 127.0.0.1, UDP and TCP on one free port, that answers A and AAAA questions from a table the test
 * changes while it runs. Written from RFC 1035 without a DNS library, so that the resolver under test is checked
 * against an independent reading of the wire format.
 *
 * <p>A name in the table answers its records (an empty answer, NOERROR, for a type it has none of), follows a
 * CNAME to another name of the table (through the whole chain, or only its first link when told), or behaves as
 * told: NXDOMAIN, SERVFAIL, REFUSED, a truncated UDP answer that makes the client ask again over TCP, or silence. A
 * name not in the table is NXDOMAIN. Answers are written without name compression, or with it (RFC 1035 4.1.4) when
 * told. A {@link Responder} may replace a name's answer with any datagrams (a forged ID, another question, malformed
 * bytes...). Every question is counted, by transport, with its ID and the UDP payload size its EDNS record
 * advertises.
 */
public final class DnsServer implements AutoCloseable
{
    /** The TTL of records set without one. */
    public static final long DEFAULT_TTL = 60;

    private static final int TYPE_A = 1;
    private static final int TYPE_CNAME = 5;
    private static final int TYPE_AAAA = 28;
    private static final int CLASS_IN = 1;
    private static final int RCODE_FORMERR = 1;
    private static final int RCODE_SERVFAIL = 2;
    private static final int RCODE_NXDOMAIN = 3;
    private static final int RCODE_REFUSED = 5;

    /** How a name answers. */
    public enum Behaviour
    {
        /** Its records (or a CNAME). */
        ANSWER,
        /** Name error. */
        NXDOMAIN,
        /** Server failure. */
        SERVFAIL,
        /** Refused. */
        REFUSED,
        /** Over UDP an empty answer with the TC bit set; over TCP its records. */
        TRUNCATE,
        /** No answer at all, over UDP or TCP. */
        SILENT
    }

    /** One record: an address and its TTL. */
    public record Rr(InetAddress address, long ttl)
    {
    }

    /**
     * Replaces the answer to a name: what the server sends instead, in order (over TCP, each as a message of its
     * own).
     */
    @FunctionalInterface
    public interface Responder
    {
        /**
         * The messages to send.
         *
         * @param query  the query as it arrived.
         * @param answer the answer the server would have sent.
         * @param tcp    whether the query came over TCP.
         * @return the messages; empty for silence.
         */
        List<byte[]> replies(byte[] query, byte[] answer, boolean tcp);
    }

    /** What the table holds for a name; the behaviour applies to questions of one type, or of every type (0). */
    private record Entry(List<Rr> records, String cname, Behaviour behaviour, int behaviourType, Responder responder)
    {
        Entry(final List<Rr> records, final String cname, final Behaviour behaviour, final int behaviourType)
        {
            this(records, cname, behaviour, behaviourType, null);
        }

        Behaviour behaviourFor(final int type)
        {
            return behaviourType == 0 || behaviourType == type ? behaviour : Behaviour.ANSWER;
        }
    }

    /**
     * A question as it arrived.
     *
     * @param name        the name, lower case, without the trailing dot.
     * @param type        the type.
     * @param tcp         whether it came over TCP.
     * @param id          the query's ID.
     * @param ednsPayload the UDP payload size its EDNS OPT record advertised, 0 without one.
     */
    public record Question(String name, int type, boolean tcp, int id, int ednsPayload)
    {
    }

    private final ServerSocketChannel tcp;
    private final DatagramChannel udp;
    private final InetSocketAddress address;
    private final Map<String, Entry> table = new ConcurrentHashMap<>();
    private final List<Question> questions = new CopyOnWriteArrayList<>();
    private final AtomicInteger udpQuestions = new AtomicInteger();
    private final AtomicInteger tcpQuestions = new AtomicInteger();
    private final List<SocketChannel> connections = new CopyOnWriteArrayList<>();
    private volatile boolean closed;
    private volatile boolean compress;
    private volatile boolean followCnames = true;

    private DnsServer(final ServerSocketChannel tcp, final DatagramChannel udp)
    {
        this.tcp = tcp;
        this.udp = udp;
        this.address = (InetSocketAddress)udp.socket().getLocalSocketAddress();
        Thread.ofPlatform().daemon().name("test-dns-udp-" + address.getPort()).start(this::serveUdp);
        Thread.ofPlatform().daemon().name("test-dns-tcp-" + address.getPort()).start(this::serveTcp);
    }

    /**
     * Starts a server on a port free for both UDP and TCP on 127.0.0.1.
     *
     * @return the running server, with an empty table.
     */
    public static DnsServer start()
    {
        final InetAddress loopback = InetAddress.getLoopbackAddress();
        IOException last = null;
        for (int attempt = 0; attempt < 100; attempt++)
        {
            ServerSocketChannel tcp = null;
            try
            {
                tcp = ServerSocketChannel.open(StandardProtocolFamily.INET).bind(new InetSocketAddress(loopback, 0));
                final int port = ((InetSocketAddress)tcp.getLocalAddress()).getPort();
                final DatagramChannel udp = DatagramChannel.open(StandardProtocolFamily.INET)
                    .bind(new InetSocketAddress(loopback, port));
                return new DnsServer(tcp, udp);
            }
            catch (final IOException ex)
            {
                // The UDP port of that number is taken: another port.
                last = ex;
                closeQuietly(tcp);
            }
        }
        throw new UncheckedIOException("no port free for both UDP and TCP", last);
    }

    /**
     * Where the server listens.
     *
     * @return 127.0.0.1 and its port.
     */
    public InetSocketAddress address()
    {
        return address;
    }

    /**
     * The address as a configuration writes it.
     *
     * @return {@code 127.0.0.1:PORT}.
     */
    public String text()
    {
        return address.getAddress().getHostAddress() + ":" + address.getPort();
    }

    /**
     * Sets a name's records, replacing what it had.
     *
     * @param name      the name.
     * @param addresses its addresses, IPv4 (A) or IPv6 (AAAA) literals, each with {@link #DEFAULT_TTL}.
     * @return this.
     */
    public DnsServer set(final String name, final String... addresses)
    {
        final List<Rr> records = new ArrayList<>();
        for (final String a : addresses)
        {
            records.add(new Rr(InetAddress.ofLiteral(a), DEFAULT_TTL));
        }
        return set(name, records);
    }

    /**
     * Sets a name's records with their TTLs, replacing what it had.
     *
     * @param name    the name.
     * @param records its records, answered in this order.
     * @return this.
     */
    public DnsServer set(final String name, final List<Rr> records)
    {
        table.put(key(name), new Entry(List.copyOf(records), null, Behaviour.ANSWER, 0));
        return this;
    }

    /**
     * Makes a name an alias of another.
     *
     * @param name   the alias.
     * @param target the name it points to.
     * @return this.
     */
    public DnsServer cname(final String name, final String target)
    {
        table.put(key(name), new Entry(List.of(), key(target), Behaviour.ANSWER, 0));
        return this;
    }

    /**
     * Makes a name behave as told, keeping its records for {@link Behaviour#TRUNCATE} and {@link Behaviour#ANSWER}.
     *
     * @param name      the name.
     * @param behaviour how it answers from now on.
     * @return this.
     */
    public DnsServer behave(final String name, final Behaviour behaviour)
    {
        return behave(name, behaviour, null);
    }

    /**
     * Makes a name behave as told for questions of one type only; questions of other types are answered.
     *
     * @param name      the name.
     * @param behaviour how it answers questions of that type from now on.
     * @param type      {@code "A"} or {@code "AAAA"}, or null for every type.
     * @return this.
     */
    public DnsServer behave(final String name, final Behaviour behaviour, final String type)
    {
        final int code = type == null ? 0 : type.equals("A") ? TYPE_A : TYPE_AAAA;
        table.merge(key(name), new Entry(List.of(), null, behaviour, code),
            (was, now) -> new Entry(was.records, was.cname, behaviour, code));
        return this;
    }

    /**
     * Replaces a name's answers (of every type, over UDP and TCP) with what a responder makes of them; the name's
     * records, CNAME and behaviour stay as they were and make the answer it is given.
     *
     * @param name      the name.
     * @param responder what to send instead.
     * @return this.
     */
    public DnsServer respond(final String name, final Responder responder)
    {
        table.merge(key(name), new Entry(List.of(), null, Behaviour.ANSWER, 0, responder),
            (was, now) -> new Entry(was.records, was.cname, was.behaviour, was.behaviourType, responder));
        return this;
    }

    /**
     * Writes answers with name compression (owners and CNAME targets as pointers to names written before), as
     * real servers do, or without.
     *
     * @param on whether to compress.
     * @return this.
     */
    public DnsServer compress(final boolean on)
    {
        compress = on;
        return this;
    }

    /**
     * Whether an answer about an alias follows its CNAME chain through the table (as a recursive resolver does), or
     * holds the first CNAME alone (as a server that does not know the target does), so the client must ask again.
     *
     * @param on whether to follow.
     * @return this.
     */
    public DnsServer followCnames(final boolean on)
    {
        followCnames = on;
        return this;
    }

    /**
     * A message's ID.
     *
     * @param message the message.
     * @return its first two bytes.
     */
    public static int id(final byte[] message)
    {
        return (message[0] & 0xff) << 8 | message[1] & 0xff;
    }

    /**
     * A copy of a message with another ID.
     *
     * @param message the message.
     * @param id      the ID.
     * @return the copy.
     */
    public static byte[] withId(final byte[] message, final int id)
    {
        final byte[] copy = message.clone();
        copy[0] = (byte)(id >>> 8);
        copy[1] = (byte)id;
        return copy;
    }

    /**
     * Removes a name: it is NXDOMAIN from now on.
     *
     * @param name the name.
     * @return this.
     */
    public DnsServer remove(final String name)
    {
        table.remove(key(name));
        return this;
    }

    /**
     * Every question asked so far.
     *
     * @return the questions in arrival order.
     */
    public List<Question> questions()
    {
        return List.copyOf(questions);
    }

    /**
     * Questions asked about one name.
     *
     * @param name the name.
     * @return how many, over UDP and TCP.
     */
    public long questionsAbout(final String name)
    {
        final String key = key(name);
        return questions.stream().filter(q -> q.name.equals(key)).count();
    }

    /**
     * Questions that arrived over UDP.
     *
     * @return the count.
     */
    public int udpQuestions()
    {
        return udpQuestions.get();
    }

    /**
     * Questions that arrived over TCP.
     *
     * @return the count.
     */
    public int tcpQuestions()
    {
        return tcpQuestions.get();
    }

    @Override
    public void close()
    {
        closed = true;
        closeQuietly(udp);
        closeQuietly(tcp);
        connections.forEach(DnsServer::closeQuietly);
    }

    private static String key(final String name)
    {
        final String lower = name.toLowerCase(Locale.ROOT);
        return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
    }

    private void serveUdp()
    {
        final ByteBuffer in = ByteBuffer.allocate(65_535);
        while (!closed)
        {
            try
            {
                in.clear();
                final SocketAddress from = udp.receive(in);
                in.flip();
                final byte[] query = new byte[in.remaining()];
                in.get(query);
                for (final byte[] reply : answer(query, false))
                {
                    udp.send(ByteBuffer.wrap(reply), from);
                }
            }
            catch (final IOException ex)
            {
                if (closed)
                {
                    return;
                }
            }
        }
    }

    private void serveTcp()
    {
        while (!closed)
        {
            try
            {
                final SocketChannel connection = tcp.accept();
                connections.add(connection);
                Thread.ofVirtual().start(() -> serveConnection(connection));
            }
            catch (final IOException ex)
            {
                if (closed)
                {
                    return;
                }
            }
        }
    }

    private void serveConnection(final SocketChannel connection)
    {
        try (connection)
        {
            final ByteBuffer length = ByteBuffer.allocate(2);
            while (!closed)
            {
                length.clear();
                if (!readFully(connection, length))
                {
                    return;
                }
                final ByteBuffer query = ByteBuffer.allocate(length.flip().getShort() & 0xffff);
                if (!readFully(connection, query))
                {
                    return;
                }
                for (final byte[] reply : answer(query.array(), true))
                {
                    final ByteBuffer out = ByteBuffer.allocate(2 + reply.length);
                    out.putShort((short)reply.length).put(reply).flip();
                    while (out.hasRemaining())
                    {
                        connection.write(out);
                    }
                }
            }
        }
        catch (final IOException ex)
        {
            // the client went away
        }
    }

    private static boolean readFully(final SocketChannel channel, final ByteBuffer buffer) throws IOException
    {
        while (buffer.hasRemaining())
        {
            if (channel.read(buffer) < 0)
            {
                return false;
            }
        }
        return true;
    }

    /** The replies to a query, none for silence. Only the question and an EDNS OPT record are read. */
    private List<byte[]> answer(final byte[] query, final boolean overTcp)
    {
        final Entry entry = query.length >= 12 && endOfName(query, 12) > 0 ? table.get(readName(query, 12)) : null;
        final byte[] reply = reply(query, overTcp);
        if (entry != null && entry.responder != null)
        {
            return entry.responder.replies(query, reply, overTcp);
        }
        return reply == null ? List.of() : List.of(reply);
    }

    /** The reply to a query, or null for none. */
    private byte[] reply(final byte[] query, final boolean overTcp)
    {
        if (query.length < 12)
        {
            return null;
        }
        final ByteBuffer q = ByteBuffer.wrap(query);
        final int id = q.getShort(0) & 0xffff;
        final int flags = q.getShort(2) & 0xffff;
        final int questionCount = q.getShort(4) & 0xffff;
        final int questionEnd = questionCount == 1 ? endOfName(query, 12) : -1;
        if (questionEnd < 0 || questionEnd + 4 > query.length)
        {
            return header(id, flags, RCODE_FORMERR, false, 0, 0);
        }
        final String name = readName(query, 12);
        final int type = q.getShort(questionEnd) & 0xffff;
        // An OPT record right after the question: the root, type 41, the payload size as its class.
        final int opt = questionEnd + 4;
        final int ednsPayload = (q.getShort(10) & 0xffff) > 0 && opt + 11 <= query.length && query[opt] == 0 &&
            (q.getShort(opt + 1) & 0xffff) == 41 ? q.getShort(opt + 3) & 0xffff : 0;
        questions.add(new Question(name, type, overTcp, id, ednsPayload));
        (overTcp ? tcpQuestions : udpQuestions).incrementAndGet();
        final byte[] question = java.util.Arrays.copyOfRange(query, 12, questionEnd + 4);

        Entry entry = table.get(name);
        if (entry == null)
        {
            return reply(id, flags, RCODE_NXDOMAIN, false, question, List.of());
        }
        switch (entry.behaviourFor(type))
        {
            case SILENT ->
            {
                return null;
            }
            case NXDOMAIN ->
            {
                return reply(id, flags, RCODE_NXDOMAIN, false, question, List.of());
            }
            case SERVFAIL ->
            {
                return reply(id, flags, RCODE_SERVFAIL, false, question, List.of());
            }
            case REFUSED ->
            {
                return reply(id, flags, RCODE_REFUSED, false, question, List.of());
            }
            case TRUNCATE ->
            {
                if (!overTcp)
                {
                    return reply(id, flags, 0, true, question, List.of());
                }
            }
            default ->
            {
                // answered below
            }
        }
        final List<Record> answers = new ArrayList<>();
        String owner = name;
        for (int hops = 0; entry != null && entry.cname != null && hops < 8; hops++)
        {
            answers.add(new Record(owner, TYPE_CNAME, DEFAULT_TTL, null, entry.cname));
            owner = entry.cname;
            entry = followCnames ? table.get(owner) : null;
        }
        if (entry != null)
        {
            for (final Rr rr : entry.records)
            {
                final boolean v4 = rr.address instanceof Inet4Address;
                if (type == TYPE_A && v4 || type == TYPE_AAAA && !v4)
                {
                    answers.add(new Record(owner, type, rr.ttl, rr.address.getAddress(), null));
                }
            }
        }
        return reply(id, flags, 0, false, question, answers);
    }

    /** A record of an answer: an address, or a CNAME's target. */
    private record Record(String owner, int type, long ttl, byte[] address, String target)
    {
    }

    private byte[] reply(final int id, final int queryFlags, final int rcode, final boolean truncated,
        final byte[] question, final List<Record> answers)
    {
        final Writer out = new Writer(compress);
        out.bytes(header(id, queryFlags, rcode, truncated, 1, answers.size()));
        out.question(question);
        for (final Record r : answers)
        {
            out.name(r.owner);
            out.bytes(ByteBuffer.allocate(8).putShort((short)r.type).putShort((short)CLASS_IN).putInt((int)r.ttl)
                .array());
            final int lengthAt = out.size();
            out.bytes(new byte[2]);
            if (r.target != null)
            {
                out.name(r.target);
            }
            else
            {
                out.bytes(r.address);
            }
            out.patchLength(lengthAt);
        }
        return out.toByteArray();
    }

    /** Writes a message, compressing names against those written before when told to. */
    private static final class Writer
    {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final Map<String, Integer> written = new java.util.HashMap<>();
        private final boolean compress;

        Writer(final boolean compress)
        {
            this.compress = compress;
        }

        int size()
        {
            return out.size();
        }

        void bytes(final byte[] bytes)
        {
            out.writeBytes(bytes);
        }

        /** The query's question, copied; its name's suffixes are remembered where they lie. */
        void question(final byte[] question)
        {
            final int start = out.size();
            out.writeBytes(question);
            final String name = readName(question, 0);
            int at = start;
            String suffix = name;
            while (!suffix.isEmpty())
            {
                written.putIfAbsent(suffix, at);
                final int dot = suffix.indexOf('.');
                at += 1 + (dot < 0 ? suffix.length() : dot);
                suffix = dot < 0 ? "" : suffix.substring(dot + 1);
            }
        }

        void name(final String name)
        {
            String suffix = name;
            while (!suffix.isEmpty())
            {
                final Integer earlier = compress ? written.get(suffix) : null;
                if (earlier != null)
                {
                    out.write(0xc0 | earlier >>> 8);
                    out.write(earlier & 0xff);
                    return;
                }
                if (out.size() < 0x3fff)
                {
                    written.putIfAbsent(suffix, out.size());
                }
                final int dot = suffix.indexOf('.');
                final byte[] label = (dot < 0 ? suffix : suffix.substring(0, dot)).getBytes(StandardCharsets.US_ASCII);
                out.write(label.length);
                out.writeBytes(label);
                suffix = dot < 0 ? "" : suffix.substring(dot + 1);
            }
            out.write(0);
        }

        /** Sets the two bytes at an offset to the length of what follows them. */
        void patchLength(final int at)
        {
            final byte[] all = out.toByteArray();
            final int length = all.length - at - 2;
            all[at] = (byte)(length >>> 8);
            all[at + 1] = (byte)length;
            out.reset();
            out.writeBytes(all);
        }

        byte[] toByteArray()
        {
            return out.toByteArray();
        }
    }

    private static byte[] header(final int id, final int queryFlags, final int rcode, final boolean truncated,
        final int questions, final int answers)
    {
        // QR, the query's opcode and RD, AA and RA, TC when truncated.
        final int flags = 0x8000 | queryFlags & 0x7900 | 0x0400 | 0x0080 | (truncated ? 0x0200 : 0) | rcode;
        return ByteBuffer.allocate(12).putShort((short)id).putShort((short)flags).putShort((short)questions)
            .putShort((short)answers).putShort((short)0).putShort((short)0).array();
    }

    /** The offset just past an uncompressed name, or -1 when it is malformed or compressed. */
    private static int endOfName(final byte[] message, final int start)
    {
        int at = start;
        while (at < message.length)
        {
            final int length = message[at] & 0xff;
            if (length == 0)
            {
                return at + 1;
            }
            if (length > 63)
            {
                return -1;
            }
            at += 1 + length;
        }
        return -1;
    }

    private static String readName(final byte[] message, final int start)
    {
        final StringBuilder sb = new StringBuilder();
        int at = start;
        while ((message[at] & 0xff) != 0)
        {
            final int length = message[at] & 0xff;
            if (sb.length() > 0)
            {
                sb.append('.');
            }
            sb.append(new String(message, at + 1, length, StandardCharsets.US_ASCII));
            at += 1 + length;
        }
        return sb.toString().toLowerCase(Locale.ROOT);
    }

    private static void closeQuietly(final java.io.Closeable c)
    {
        if (c != null)
        {
            try
            {
                c.close();
            }
            catch (final IOException ignored)
            {
                // closing
            }
        }
    }
}
