package io.portgate.tcp;

import io.portgate.ffm.LibC;
import io.portgate.ffm.NativeFd;
import io.portgate.net.Ip;
import org.agrona.ErrorHandler;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/** What is done to a TCP connection's sockets, client side and target side alike. */
final class TcpSockets
{
    private TcpSockets()
    {
    }

    /**
     * Sets what a socket to a target needs: TCP_NODELAY, and the listener's buffer sizes when it sets them.
     *
     * @param channel the socket.
     * @param route   the listener.
     * @throws IOException when an option cannot be set.
     */
    static void configureTarget(final SocketChannel channel, final TcpRoute route) throws IOException
    {
        configureAccepted(channel, route, false);
    }

    /**
     * Sets what an accepted client's socket needs: TCP_NODELAY unless it came with it from its listening socket
     * ({@link #noDelayOnListener}), and the listener's buffer sizes when it sets them (a reload may change them, so
     * they are set on each socket rather than inherited).
     *
     * @param channel          the socket.
     * @param route            the listener.
     * @param noDelayInherited whether the listening socket had TCP_NODELAY when it accepted it.
     * @throws IOException when an option cannot be set.
     */
    static void configureAccepted(final SocketChannel channel, final TcpRoute route, final boolean noDelayInherited)
        throws IOException
    {
        if (!noDelayInherited)
        {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        }
        if (route.sendBuffer() > 0)
        {
            channel.setOption(StandardSocketOptions.SO_SNDBUF, route.sendBuffer());
        }
        if (route.receiveBuffer() > 0)
        {
            channel.setOption(StandardSocketOptions.SO_RCVBUF, route.receiveBuffer());
        }
    }

    /**
     * Sets TCP_NODELAY on a listening socket once, so every socket it accepts comes with it (Linux copies the option
     * on accept) and needs no setsockopt of its own. NIO offers no TCP_NODELAY on a server socket: it is set through
     * the native layer, where there is one.
     *
     * @param listener the listening socket.
     * @return true when its accepted sockets have TCP_NODELAY already.
     */
    static boolean noDelayOnListener(final ServerSocketChannel listener)
    {
        if (!NativeFd.isAvailable())
        {
            return false;
        }
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment callState = LibC.newCallState(arena);
            final MemorySegment one = arena.allocate(ValueLayout.JAVA_INT);
            one.set(ValueLayout.JAVA_INT, 0, 1);
            final int fd = NativeFd.of(listener);
            return fd >= 0 && LibC.setsockopt(callState, fd, LibC.IPPROTO_TCP, LibC.TCP_NODELAY, one) == 0;
        }
        catch (final RuntimeException ex)
        {
            return false;
        }
    }

    /**
     * The socket family of an address, so that a socket to an IPv4 target is an IPv4 socket: the JDK's default, a
     * dual-stack IPv6 socket, costs a setsockopt(IPV6_V6ONLY) more per connection.
     *
     * @param address the target.
     * @return its family.
     */
    static ProtocolFamily familyOf(final InetSocketAddress address)
    {
        return address.getAddress() instanceof Inet6Address ? StandardProtocolFamily.INET6 :
            StandardProtocolFamily.INET;
    }

    // The client's IP only, not its port: source-hash and maglev keep a client on one target across connections,
    // as HAProxy's "balance source" does. Policies that do not hash ignore the key.
    static long hashOf(final long high, final long low)
    {
        long h = 0;
        if (Ip.isIpv4(high, low))
        {
            final int ipv4 = Ip.ipv4(low);
            for (int shift = 24; shift >= 0; shift -= 8)
            {
                h = h * 31 + (ipv4 >>> shift & 0xFF);
            }
            return h;
        }
        for (int shift = 56; shift >= 0; shift -= 8)
        {
            h = h * 31 + (high >>> shift & 0xFF);
        }
        for (int shift = 56; shift >= 0; shift -= 8)
        {
            h = h * 31 + (low >>> shift & 0xFF);
        }
        return h;
    }

    static void closeQuietly(final SocketChannel channel, final boolean reset, final ErrorHandler errors)
    {
        if (channel == null)
        {
            return;
        }
        if (reset && channel.isOpen())
        {
            try
            {
                // Linger 0 makes close send a RST instead of a FIN.
                channel.setOption(StandardSocketOptions.SO_LINGER, 0);
            }
            catch (final IOException ex)
            {
                // Already failed or unconnected: a plain close is all that is left.
            }
        }
        try
        {
            channel.close();
        }
        catch (final IOException ex)
        {
            errors.onError(ex);
        }
    }
}
