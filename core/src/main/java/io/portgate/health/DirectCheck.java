package io.portgate.health;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.net.ConnectException;
import java.net.NoRouteToHostException;

/**
 * One-off direct requests to a target, bypassing the balancer: a TCP connect, a UDP datagram on a connected socket
 * (so that an ICMP port-unreachable is seen), or an HTTP GET. Blocking; meant for checks run by an operator, not
 * for the data path.
 */
public final class DirectCheck
{
    private DirectCheck()
    {
    }

    /** What a direct request found. */
    public enum Outcome
    {
        /** The target accepted the connection, answered the datagram, or returned an expected status. */
        REACHABLE,
        /** The connection was refused, or an ICMP port-unreachable came back. */
        REFUSED,
        /** Nothing answered within the timeout. */
        TIMED_OUT,
        /** The target answered, but not as the probe expects (an HTTP status or a UDP reply that does not match). */
        UNEXPECTED,
        /** The request failed otherwise (no route, bad address). */
        ERROR;

        /**
         * The lower-case name used in reports.
         *
         * @return e.g. "timed out".
         */
        public String label()
        {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
        }
    }

    /**
     * The result of one request.
     *
     * @param outcome      what was found.
     * @param latencyNanos how long it took.
     * @param detail       a human-readable detail, e.g. the HTTP status line.
     */
    public record Result(Outcome outcome, long latencyNanos, String detail)
    {
    }

    /**
     * Connects over TCP and closes at once.
     *
     * @param address the target.
     * @param timeout how long the connect may take.
     * @return reachable, refused, timed out or error.
     */
    public static Result tcp(final InetSocketAddress address, final Duration timeout)
    {
        final long start = System.nanoTime();
        try (Socket socket = new Socket())
        {
            socket.connect(address, timeoutMillis(timeout));
            return new Result(Outcome.REACHABLE, System.nanoTime() - start, "connected");
        }
        catch (final SocketTimeoutException ex)
        {
            return new Result(Outcome.TIMED_OUT, System.nanoTime() - start, "no answer to the connect");
        }
        catch (final ConnectException ex)
        {
            return new Result(Outcome.REFUSED, System.nanoTime() - start, "connection refused");
        }
        catch (final NoRouteToHostException ex)
        {
            return new Result(Outcome.ERROR, System.nanoTime() - start, "no route to host");
        }
        catch (final IOException ex)
        {
            return new Result(Outcome.ERROR, System.nanoTime() - start, String.valueOf(ex.getMessage()));
        }
    }

    /**
     * Sends one datagram on a connected socket and waits for a reply.
     *
     * @param address the target.
     * @param payload what to send (may be empty).
     * @param expect  a prefix the reply must start with, or null to accept any reply.
     * @param timeout how long to wait for a reply.
     * @return reachable on a (matching) reply, refused on an ICMP port-unreachable, timed out when nothing came.
     */
    public static Result udp(final InetSocketAddress address, final byte[] payload, final String expect,
        final Duration timeout)
    {
        final long start = System.nanoTime();
        try (DatagramChannel channel = DatagramChannel.open(address.getAddress() instanceof java.net.Inet6Address ?
            java.net.StandardProtocolFamily.INET6 : java.net.StandardProtocolFamily.INET);
            Selector selector = Selector.open())
        {
            channel.connect(address);
            channel.configureBlocking(false);
            channel.register(selector, SelectionKey.OP_READ);
            channel.write(ByteBuffer.wrap(payload));
            final ByteBuffer reply = ByteBuffer.allocate(65535);
            final long deadline = start + timeout.toNanos();
            while (true)
            {
                final long left = deadline - System.nanoTime();
                if (left <= 0)
                {
                    return new Result(Outcome.TIMED_OUT, System.nanoTime() - start,
                        "no reply and no ICMP port-unreachable (the port may be open and ignoring this datagram, " +
                            "or filtered)");
                }
                selector.select(Math.max(1, left / 1_000_000));
                selector.selectedKeys().clear();
                reply.clear();
                // receive() rather than read(): it tells an empty datagram from none, and on a connected channel it
                // throws PortUnreachableException when the kernel got an ICMP port-unreachable back.
                if (channel.receive(reply) != null)
                {
                    final String text = new String(reply.array(), 0, reply.position(), StandardCharsets.ISO_8859_1);
                    if (expect != null && !text.startsWith(expect))
                    {
                        return new Result(Outcome.UNEXPECTED, System.nanoTime() - start,
                            "reply does not start with '" + expect + "': '" + abbreviate(text) + "'");
                    }
                    return new Result(Outcome.REACHABLE, System.nanoTime() - start,
                        "answered with " + reply.position() + " bytes");
                }
            }
        }
        catch (final PortUnreachableException ex)
        {
            return new Result(Outcome.REFUSED, System.nanoTime() - start, "ICMP port unreachable");
        }
        catch (final IOException ex)
        {
            return new Result(Outcome.ERROR, System.nanoTime() - start, String.valueOf(ex.getMessage()));
        }
    }

    /**
     * Sends {@code GET path} and reads the status line.
     *
     * @param address   the target.
     * @param hostName  the Host header.
     * @param path      the path.
     * @param statusMin lowest accepted status.
     * @param statusMax highest accepted status.
     * @param timeout   how long connect and answer may take, each.
     * @return reachable when the status is in range, unexpected otherwise; refused or timed out as for TCP.
     */
    public static Result http(final InetSocketAddress address, final String hostName, final String path,
        final int statusMin, final int statusMax, final Duration timeout)
    {
        final long start = System.nanoTime();
        try (Socket socket = new Socket())
        {
            socket.connect(address, timeoutMillis(timeout));
            socket.setSoTimeout(timeoutMillis(timeout));
            final OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: " + hostName + "\r\nUser-Agent: portgate-check\r\n" +
                "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            final String statusLine = readLine(socket.getInputStream());
            final String[] parts = statusLine.split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("HTTP/"))
            {
                return new Result(Outcome.UNEXPECTED, System.nanoTime() - start,
                    "not an HTTP response: '" + abbreviate(statusLine) + "'");
            }
            final int status = Integer.parseInt(parts[1]);
            final Outcome outcome = status >= statusMin && status <= statusMax ? Outcome.REACHABLE :
                Outcome.UNEXPECTED;
            return new Result(outcome, System.nanoTime() - start, "HTTP " + status +
                (outcome == Outcome.UNEXPECTED ? ", expected " + statusMin + "-" + statusMax : ""));
        }
        catch (final SocketTimeoutException ex)
        {
            return new Result(Outcome.TIMED_OUT, System.nanoTime() - start, "no answer in time");
        }
        catch (final ConnectException ex)
        {
            return new Result(Outcome.REFUSED, System.nanoTime() - start, "connection refused");
        }
        catch (final IOException | NumberFormatException ex)
        {
            return new Result(Outcome.ERROR, System.nanoTime() - start, String.valueOf(ex.getMessage()));
        }
    }

    private static String readLine(final InputStream in) throws IOException
    {
        final StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0 && c != '\n' && sb.length() < 1024)
        {
            if (c != '\r')
            {
                sb.append((char)c);
            }
        }
        return sb.toString();
    }

    private static String abbreviate(final String text)
    {
        final String oneLine = text.replaceAll("\\p{Cntrl}", ".");
        return oneLine.length() > 40 ? oneLine.substring(0, 40) + "..." : oneLine;
    }

    private static int timeoutMillis(final Duration timeout)
    {
        return (int)Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
    }
}
