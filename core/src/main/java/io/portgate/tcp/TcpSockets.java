package io.portgate.tcp;

import org.agrona.ErrorHandler;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
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
    static long hashOf(final SocketAddress address)
    {
        if (address instanceof InetSocketAddress inet)
        {
            final byte[] ip = inet.getAddress().getAddress();
            long h = 0;
            for (final byte b : ip)
            {
                h = h * 31 + (b & 0xFF);
            }
            return h;
        }
        return 0;
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
