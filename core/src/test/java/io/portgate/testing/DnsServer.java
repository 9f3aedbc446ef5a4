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
 * CNAME to another name of the table, or behaves as told: NXDOMAIN, SERVFAIL, REFUSED, a truncated UDP answer that
 * makes the client ask again over TCP, or silence. A name not in the table is NXDOMAIN. Every question is counted,
 * by transport.
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

    /** What the table holds for a name; the behaviour applies to questions of one type, or of every type (0). */
    private record Entry(List<Rr> records, String cname, Behaviour behaviour, int behaviourType)
    {
        Behaviour behaviourFor(final int type)
        {
            return behaviourType == 0 || behaviourType == type ? behaviour : Behaviour.ANSWER;
        }
    }

    /** A question as it arrived. */
    public record Question(String name, int type, boolean tcp)
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
                final byte[] reply = answer(query, false);
                if (reply != null)
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
                final byte[] reply = answer(query.array(), true);
                if (reply != null)
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

    /** The reply to a query, or null for none. Only the question is read; EDNS and other additions are ignored. */
    private byte[] answer(final byte[] query, final boolean overTcp)
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
        questions.add(new Question(name, type, overTcp));
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
        final List<byte[]> answers = new ArrayList<>();
        String owner = name;
        for (int hops = 0; entry != null && entry.cname != null && hops < 8; hops++)
        {
            answers.add(resourceRecord(owner, TYPE_CNAME, DEFAULT_TTL, encodeName(entry.cname)));
            owner = entry.cname;
            entry = table.get(owner);
        }
        if (entry != null)
        {
            for (final Rr rr : entry.records)
            {
                final boolean v4 = rr.address instanceof Inet4Address;
                if (type == TYPE_A && v4 || type == TYPE_AAAA && !v4)
                {
                    answers.add(resourceRecord(owner, type, rr.ttl, rr.address.getAddress()));
                }
            }
        }
        return reply(id, flags, 0, false, question, answers);
    }

    private static byte[] reply(final int id, final int queryFlags, final int rcode, final boolean truncated,
        final byte[] question, final List<byte[]> answers)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(header(id, queryFlags, rcode, truncated, 1, answers.size()));
        out.writeBytes(question);
        answers.forEach(out::writeBytes);
        return out.toByteArray();
    }

    private static byte[] header(final int id, final int queryFlags, final int rcode, final boolean truncated,
        final int questions, final int answers)
    {
        // QR, the query's opcode and RD, AA and RA, TC when truncated.
        final int flags = 0x8000 | queryFlags & 0x7900 | 0x0400 | 0x0080 | (truncated ? 0x0200 : 0) | rcode;
        return ByteBuffer.allocate(12).putShort((short)id).putShort((short)flags).putShort((short)questions)
            .putShort((short)answers).putShort((short)0).putShort((short)0).array();
    }

    private static byte[] resourceRecord(final String owner, final int type, final long ttl, final byte[] data)
    {
        final byte[] name = encodeName(owner);
        return ByteBuffer.allocate(name.length + 10 + data.length).put(name).putShort((short)type)
            .putShort((short)CLASS_IN).putInt((int)ttl).putShort((short)data.length).put(data).array();
    }

    private static byte[] encodeName(final String name)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (final String label : name.split("\\."))
        {
            final byte[] bytes = label.getBytes(StandardCharsets.US_ASCII);
            out.write(bytes.length);
            out.writeBytes(bytes);
        }
        out.write(0);
        return out.toByteArray();
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
