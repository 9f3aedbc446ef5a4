package io.portgate.dns;

import io.portgate.config.Endpoint;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * Asks one question of a list of DNS servers and waits for the answer: blocking, so a lookup runs it on a virtual
 * thread of its own.
 *
 * <p>The servers are asked in turn, the first first, each up to {@code attempts} times, until one answers or the
 * deadline passes; each attempt waits at most {@code attemptNs}. A server that fails to answer sinks down the order
 * for the next questions, one that answers works its way back up. Every attempt is a fresh UDP socket (so a fresh
 * source port) connected to the server, and a fresh random ID. A datagram that is not the answer to the question
 * (another ID, another question, not a response, not DNS at all) is ignored and the wait goes on: a late answer
 * or a forged one changes nothing. An answer with the TC bit is asked again over TCP, within the same attempt. An
 * answer of any RCODE ends the exchange; what it means is the caller's business.
 */
final class DnsClient
{
    private static final SecureRandom IDS = new SecureRandom();

    /**
     * What an exchange gave: the answer, or the failure.
     *
     * @param message the answer, or null.
     * @param failure {@link LookupOutcome#TIMEOUT} or {@link LookupOutcome#ERROR} when there is none, else null.
     * @param detail  what went wrong, or null.
     */
    record Reply(DnsMessage message, LookupOutcome failure, String detail)
    {
        static Reply failed(final LookupOutcome failure, final String detail)
        {
            return new Reply(null, failure, detail);
        }
    }

    private final List<InetSocketAddress> servers;
    private final int attempts;
    private final long attemptNs;
    private final AtomicIntegerArray failures;

    /**
     * A client of some servers.
     *
     * @param servers   the servers, in the order they are asked.
     * @param attempts  how many times each is asked, at least 1.
     * @param attemptNs how long one attempt waits.
     */
    DnsClient(final List<InetSocketAddress> servers, final int attempts, final long attemptNs)
    {
        this.servers = List.copyOf(servers);
        this.attempts = attempts;
        this.attemptNs = attemptNs;
        this.failures = new AtomicIntegerArray(servers.size());
    }

    /**
     * How many times each server is asked.
     *
     * @return the attempts.
     */
    int attempts()
    {
        return attempts;
    }

    /**
     * How long one attempt waits.
     *
     * @return nanoseconds.
     */
    long attemptNs()
    {
        return attemptNs;
    }

    /**
     * Asks a question.
     *
     * @param name       the name.
     * @param type       the type.
     * @param deadlineNs when to give up, on {@link System#nanoTime()}.
     * @return the answer, or why there is none.
     */
    Reply ask(final DnsName name, final int type, final long deadlineNs)
    {
        // The fewest failures first; a stable sort keeps the configured order among equals.
        final List<Integer> order = new ArrayList<>(servers.size());
        for (int i = 0; i < servers.size(); i++)
        {
            order.add(i);
        }
        order.sort(Comparator.comparingInt(failures::get));
        final int[] tries = new int[order.size()];
        Reply last = Reply.failed(LookupOutcome.TIMEOUT, null);
        int current = 0;
        while (deadlineNs - System.nanoTime() > 0 && !Thread.currentThread().isInterrupted())
        {
            final int server = order.get(current);
            tries[current]++;
            final long attemptDeadline = earlier(deadlineNs, System.nanoTime() + attemptNs);
            final Reply reply = exchange(servers.get(server), name, type, attemptDeadline);
            if (reply.message != null)
            {
                failures.getAndUpdate(server, f -> f >> 1);
                return reply;
            }
            failures.incrementAndGet(server);
            last = reply;
            current = (current + 1) % order.size();
            if (tries[current] >= attempts)
            {
                return last;
            }
        }
        return last.failure == LookupOutcome.TIMEOUT ? last : Reply.failed(LookupOutcome.TIMEOUT, last.detail);
    }

    private static Reply exchange(final InetSocketAddress server, final DnsName name, final int type,
        final long deadlineNs)
    {
        final int id = IDS.nextInt(65_536);
        final byte[] query = DnsWire.query(id, name, type);
        try (DatagramSocket socket = new DatagramSocket())
        {
            socket.connect(server);
            socket.send(new DatagramPacket(query, query.length));
            final byte[] buffer = new byte[DnsWire.MAX_MESSAGE_LENGTH];
            final DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            while (true)
            {
                if (!waitUntil(socket, deadlineNs))
                {
                    return Reply.failed(LookupOutcome.TIMEOUT, null);
                }
                packet.setLength(buffer.length);
                socket.receive(packet);
                final DnsWire.Parsed parsed = DnsWire.parse(buffer, packet.getLength());
                if (parsed instanceof DnsMessage answer && answer.answers(id, name, type))
                {
                    return answer.truncated() ? overTcp(server, name, type, deadlineNs) : new Reply(answer, null,
                        null);
                }
                if (parsed instanceof DnsWire.Rejected rejected && packet.getLength() >= 2 &&
                    ((buffer[0] & 0xff) << 8 | buffer[1] & 0xff) == id)
                {
                    // Our ID, so most likely our server, and it cannot be read: asking it again will not help.
                    return Reply.failed(LookupOutcome.ERROR, "a malformed answer from " + Endpoint.format(server) +
                        ": " + rejected);
                }
                // Not the answer to this question: ignored.
            }
        }
        catch (final SocketTimeoutException ex)
        {
            return Reply.failed(LookupOutcome.TIMEOUT, null);
        }
        catch (final PortUnreachableException ex)
        {
            return Reply.failed(LookupOutcome.ERROR, Endpoint.format(server) + " is not listening (ICMP port " +
                "unreachable)");
        }
        catch (final IOException | RuntimeException ex)
        {
            return Reply.failed(LookupOutcome.ERROR, Endpoint.format(server) + ": " + ex);
        }
    }

    private static Reply overTcp(final InetSocketAddress server, final DnsName name, final int type,
        final long deadlineNs)
    {
        final int id = IDS.nextInt(65_536);
        final byte[] query = DnsWire.query(id, name, type);
        try (Socket socket = new Socket())
        {
            socket.connect(server, (int)Math.max(1, millisUntil(deadlineNs)));
            final OutputStream out = socket.getOutputStream();
            final byte[] framed = new byte[2 + query.length];
            framed[0] = (byte)(query.length >>> 8);
            framed[1] = (byte)query.length;
            System.arraycopy(query, 0, framed, 2, query.length);
            out.write(framed);
            out.flush();
            final DataInputStream in = new DataInputStream(new Deadline(socket, deadlineNs));
            final byte[] message = new byte[in.readUnsignedShort()];
            in.readFully(message);
            final DnsWire.Parsed parsed = DnsWire.parse(message, message.length);
            if (parsed instanceof DnsWire.Rejected rejected)
            {
                return Reply.failed(LookupOutcome.ERROR, "a malformed answer from " + Endpoint.format(server) +
                    " over TCP: " + rejected);
            }
            final DnsMessage answer = (DnsMessage)parsed;
            if (!answer.answers(id, name, type) || answer.truncated())
            {
                return Reply.failed(LookupOutcome.ERROR, "the answer from " + Endpoint.format(server) + " over " +
                    "TCP is not one to the question asked" + (answer.truncated() ? " (it is truncated)" : ""));
            }
            return new Reply(answer, null, null);
        }
        catch (final SocketTimeoutException ex)
        {
            return Reply.failed(LookupOutcome.TIMEOUT, null);
        }
        catch (final IOException | RuntimeException ex)
        {
            return Reply.failed(LookupOutcome.ERROR, Endpoint.format(server) + " over TCP: " + ex);
        }
    }

    /** Sets the socket's timeout to what is left; false when nothing is. */
    private static boolean waitUntil(final DatagramSocket socket, final long deadlineNs) throws IOException
    {
        final long ms = millisUntil(deadlineNs);
        if (ms <= 0)
        {
            return false;
        }
        socket.setSoTimeout((int)Math.min(Integer.MAX_VALUE, ms));
        return true;
    }

    /** Milliseconds until the deadline, rounded up so that a wait never ends before it; 0 or less when past. */
    private static long millisUntil(final long deadlineNs)
    {
        final long left = deadlineNs - System.nanoTime();
        return left <= 0 ? 0 : TimeUnit.NANOSECONDS.toMillis(left + 999_999);
    }

    private static long earlier(final long a, final long b)
    {
        return a - b < 0 ? a : b;
    }

    /** Reads a socket with the time left to the deadline before each read. */
    private static final class Deadline extends InputStream
    {
        private final Socket socket;
        private final InputStream in;
        private final long deadlineNs;

        Deadline(final Socket socket, final long deadlineNs) throws IOException
        {
            this.socket = socket;
            this.in = socket.getInputStream();
            this.deadlineNs = deadlineNs;
        }

        @Override
        public int read() throws IOException
        {
            final byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(final byte[] b, final int off, final int len) throws IOException
        {
            final long ms = millisUntil(deadlineNs);
            if (ms <= 0)
            {
                throw new SocketTimeoutException("no answer by the deadline");
            }
            socket.setSoTimeout((int)Math.min(Integer.MAX_VALUE, ms));
            return in.read(b, off, len);
        }
    }
}
