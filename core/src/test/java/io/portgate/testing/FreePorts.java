package io.portgate.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Finds ports free on 127.0.0.1 for listeners, which must name their port in the configuration. A port found free
 * can be taken by someone else before it is bound; the range below the kernel's ephemeral ports keeps that rare.
 */
public final class FreePorts
{
    private static final int LOW = 20_000;
    private static final int HIGH = 32_000;

    private FreePorts()
    {
    }

    /**
     * One free port.
     *
     * @return a port that could be bound a moment ago.
     */
    public static int tcp()
    {
        return tcpRange(1);
    }

    /**
     * Consecutive free ports.
     *
     * @param count how many.
     * @return the first of {@code count} consecutive ports that could be bound a moment ago.
     */
    public static int tcpRange(final int count)
    {
        for (int attempt = 0; attempt < 200; attempt++)
        {
            final int first = ThreadLocalRandom.current().nextInt(LOW, HIGH - count);
            boolean free = true;
            for (int p = first; p < first + count && free; p++)
            {
                free = isFree(p);
            }
            if (free)
            {
                return first;
            }
        }
        throw new IllegalStateException("no " + count + " consecutive free ports found");
    }

    /**
     * One port free for UDP on 127.0.0.1.
     *
     * @return a port that could be bound a moment ago.
     */
    public static int udp()
    {
        for (int attempt = 0; attempt < 200; attempt++)
        {
            final int port = ThreadLocalRandom.current().nextInt(LOW, HIGH);
            try (java.net.DatagramSocket socket = new java.net.DatagramSocket(null))
            {
                socket.setReuseAddress(false);
                socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                return port;
            }
            catch (final IOException ex)
            {
                // taken: try another
            }
        }
        throw new IllegalStateException("no free UDP port found");
    }

    /**
     * One port free for UDP on every address of the host, IPv4 and IPv6, for a listener bound to a wildcard.
     *
     * @return a port that could be bound on the dual-stack wildcard a moment ago.
     */
    public static int udpOnEveryAddress()
    {
        for (int attempt = 0; attempt < 200; attempt++)
        {
            final int port = ThreadLocalRandom.current().nextInt(LOW, HIGH);
            try (java.net.DatagramSocket socket = new java.net.DatagramSocket(null))
            {
                socket.setReuseAddress(false);
                // The unspecified wildcard: [::] on a dual-stack host, so IPv4 and IPv6 holders both stand in the way.
                socket.bind(new InetSocketAddress(port));
                return port;
            }
            catch (final IOException ex)
            {
                // taken: try another
            }
        }
        throw new IllegalStateException("no UDP port free on every address found");
    }

    private static boolean isFree(final int port)
    {
        try (ServerSocket socket = new ServerSocket())
        {
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return true;
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    /**
     * A port nothing listens on, for a target that refuses.
     *
     * @return a port that was free a moment ago.
     */
    public static int refusing()
    {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
