package io.portgate.tcp;

import io.portgate.net.Ip;

import org.agrona.ErrorHandler;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;

/** What is done to a TCP connection's sockets, client side and target side alike. */
final class TcpSockets
{
    private TcpSockets()
    {
    }

    static void configure(final SocketChannel channel, final TcpRoute route) throws IOException
    {
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        if (route.sendBuffer() > 0)
        {
            channel.setOption(StandardSocketOptions.SO_SNDBUF, route.sendBuffer());
        }
        if (route.receiveBuffer() > 0)
        {
            channel.setOption(StandardSocketOptions.SO_RCVBUF, route.receiveBuffer());
        }
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
