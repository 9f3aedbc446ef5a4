package io.portgate.cli;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;

/**
 * What the tests that run {@code ./portgate} put behind and beside it: echo targets on 127.0.0.1, each served by
 * virtual threads and closed with the test's resources, and free loopback ports for its listeners.
 */
final class Echoes
{
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private Echoes()
    {
    }

    /**
     * A TCP echo target: every connection gets its bytes back until it closes.
     *
     * @param resources where the server and its connections go, to be closed after the test.
     * @return its port.
     * @throws IOException when it cannot bind.
     */
    static int tcp(final List<AutoCloseable> resources) throws IOException
    {
        final ServerSocket server = new ServerSocket(0, 50, LOOPBACK);
        resources.add(server);
        Thread.ofVirtual().start(() ->
        {
            try
            {
                while (true)
                {
                    final Socket s = server.accept();
                    resources.add(s);
                    Thread.ofVirtual().start(() ->
                    {
                        try (s)
                        {
                            s.getInputStream().transferTo(s.getOutputStream());
                        }
                        catch (final IOException ignored)
                        {
                            // the balancer closed it
                        }
                    });
                }
            }
            catch (final IOException closed)
            {
                // test over
            }
        });
        return server.getLocalPort();
    }

    /**
     * A UDP echo target: every datagram goes back to its sender.
     *
     * @param resources where the socket goes, to be closed after the test.
     * @return its port.
     * @throws IOException when it cannot bind.
     */
    static int udp(final List<AutoCloseable> resources) throws IOException
    {
        final DatagramSocket server = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
        resources.add(server);
        Thread.ofVirtual().start(() ->
        {
            final byte[] buffer = new byte[65536];
            try
            {
                while (true)
                {
                    final DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                    server.receive(packet);
                    server.send(packet);
                }
            }
            catch (final IOException closed)
            {
                // test over
            }
        });
        return server.getLocalPort();
    }

    /**
     * @return a TCP port on loopback that was free a moment ago.
     * @throws IOException when none can be bound.
     */
    static int freeTcpPort() throws IOException
    {
        try (ServerSocket s = new ServerSocket(0, 1, LOOPBACK))
        {
            return s.getLocalPort();
        }
    }

    /**
     * @return a UDP port on loopback that was free a moment ago.
     * @throws IOException when none can be bound.
     */
    static int freeUdpPort() throws IOException
    {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0)))
        {
            return s.getLocalPort();
        }
    }
}
