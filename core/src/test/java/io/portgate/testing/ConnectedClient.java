package io.portgate.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.Arrays;

/**
 * A UDP client bound to one address and connected to a balancer's address, as most UDP clients are: the kernel then
 * passes up only datagrams from exactly that address and port, so a reply from any other address of the host never
 * arrives. Replies are checked to be a {@link UdpEchoServer}'s echo of what was sent.
 */
public final class ConnectedClient implements AutoCloseable
{
    private static final int ATTEMPTS = 3;
    private static final int WAIT_MS = 2_000;

    private final DatagramSocket socket;
    private final byte[] buffer = new byte[UdpEchoServer.MAX_DATAGRAM + 1];

    private ConnectedClient(final DatagramSocket socket)
    {
        this.socket = socket;
    }

    /**
     * Opens a client.
     *
     * @param from the address to send from, such as 127.0.0.2 or ::1.
     * @param to   the balancer's address it sends to.
     * @param port the balancer's port.
     * @return the connected client.
     */
    public static ConnectedClient open(final String from, final String to, final int port)
    {
        try
        {
            final DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(from), 0));
            socket.connect(new InetSocketAddress(InetAddress.getByName(to), port));
            socket.setSoTimeout(WAIT_MS);
            return new ConnectedClient(socket);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Whether this machine can bind ::1.
     *
     * @return true when IPv6 loopback works.
     */
    public static boolean ipv6Loopback()
    {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getByName("::1"), 0)))
        {
            return socket.getLocalPort() > 0;
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    /**
     * Sends a datagram to the balancer.
     *
     * @param payload the datagram.
     */
    public void send(final byte[] payload)
    {
        try
        {
            socket.send(new DatagramPacket(payload, payload.length));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Waits for the echo of a payload, the target's tag and then every byte sent; sends again (up to three times in
     * all) when none comes, since loopback may drop a datagram under load.
     *
     * @param payload what was sent.
     * @param tag     the tag the target puts in front.
     */
    public void awaitEcho(final byte[] payload, final byte tag)
    {
        for (int attempt = 0; attempt < ATTEMPTS; attempt++)
        {
            final byte[] reply = receive();
            if (reply != null)
            {
                if (reply.length != payload.length + 1 || reply[0] != tag ||
                    !Arrays.equals(reply, 1, reply.length, payload, 0, payload.length))
                {
                    throw new AssertionError(this + " received " + reply.length + " bytes that are not the echo " +
                        "of the " + payload.length + " it sent");
                }
                return;
            }
            send(payload);
        }
        throw new AssertionError(this + " got no reply in " + ATTEMPTS + " waits of " + WAIT_MS + " ms: a reply " +
            "from another address than " + socket.getRemoteSocketAddress() + " is dropped by a connected socket");
    }

    private byte[] receive()
    {
        final DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        try
        {
            socket.receive(packet);
        }
        catch (final SocketTimeoutException ex)
        {
            return null;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return Arrays.copyOf(packet.getData(), packet.getLength());
    }

    @Override
    public void close()
    {
        socket.close();
    }

    @Override
    public String toString()
    {
        return "client " + socket.getLocalSocketAddress() + " connected to " + socket.getRemoteSocketAddress();
    }
}
