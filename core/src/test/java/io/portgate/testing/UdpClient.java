package io.portgate.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A UDP client of a balancer, for tests that run the balancer on its own threads. {@link #exchange} sends a datagram
 * and waits for the reply of a {@link UdpEchoServer} behind the balancer, checking that it came from the listener's
 * address and holds exactly what was sent; a reply holding something this client never sent fails the test at once,
 * since it was meant for another client.
 */
public final class UdpClient implements AutoCloseable
{
    private static final int ATTEMPTS = 3;
    private static final int WAIT_MS = 2_000;

    private final DatagramSocket socket;
    private final InetSocketAddress front;
    private final List<byte[]> sent = new ArrayList<>();
    private final byte[] receiveBuffer = new byte[UdpEchoServer.MAX_DATAGRAM + 1];

    private UdpClient(final DatagramSocket socket, final InetSocketAddress front)
    {
        this.socket = socket;
        this.front = front;
    }

    /**
     * Opens a client on an ephemeral port.
     *
     * @param bindAddress the address to send from, such as 127.0.0.2.
     * @param front       the balancer's listener.
     * @return the client.
     */
    public static UdpClient open(final String bindAddress, final InetSocketAddress front)
    {
        try
        {
            final DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(bindAddress), 0));
            socket.setSoTimeout(WAIT_MS);
            return new UdpClient(socket, front);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /** @return the address and port it sends from. */
    public InetSocketAddress local()
    {
        return (InetSocketAddress)socket.getLocalSocketAddress();
    }

    /**
     * Sends a datagram without waiting.
     *
     * @param payload the datagram.
     */
    public void send(final byte[] payload)
    {
        sent.add(payload);
        try
        {
            socket.send(new DatagramPacket(payload, payload.length, front));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Sends a datagram and returns the tag of the target that answered, after checking the answer.
     *
     * @param payload the datagram, unique to this exchange.
     * @return the answering target's tag.
     */
    public byte exchange(final byte[] payload)
    {
        for (int attempt = 0; attempt < ATTEMPTS; attempt++)
        {
            send(payload);
            final byte[] reply = awaitReplyTo(payload);
            if (reply != null)
            {
                return reply[0];
            }
        }
        throw new AssertionError(local() + " got no reply in " + ATTEMPTS + " attempts of " + WAIT_MS + " ms");
    }

    /**
     * Waits for the reply to a payload, skipping late replies to earlier ones.
     *
     * @param payload what was sent.
     * @return the tagged reply, or null when none came in time.
     */
    public byte[] awaitReplyTo(final byte[] payload)
    {
        while (true)
        {
            final byte[] reply = receive();
            if (reply == null)
            {
                return null;
            }
            final byte[] body = Arrays.copyOfRange(reply, 1, reply.length);
            if (Arrays.equals(body, payload))
            {
                return reply;
            }
            if (sent.stream().noneMatch(earlier -> Arrays.equals(earlier, body)))
            {
                throw new AssertionError(local() + " received a reply to a datagram it never sent (" +
                    reply.length + " bytes)");
            }
        }
    }

    /**
     * Receives one datagram, checking it came from the listener.
     *
     * @return its bytes, or null when none came within the wait.
     */
    public byte[] receive()
    {
        final DatagramPacket packet = new DatagramPacket(receiveBuffer, receiveBuffer.length);
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
        if (!front.equals(packet.getSocketAddress()))
        {
            throw new AssertionError(local() + " received a datagram from " + packet.getSocketAddress() +
                ", not from the listener " + front);
        }
        return Arrays.copyOf(packet.getData(), packet.getLength());
    }

    /**
     * Sets how long {@link #receive()} waits.
     *
     * @param millis the wait.
     */
    public void waitMillis(final int millis)
    {
        try
        {
            socket.setSoTimeout(millis);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    @Override
    public void close()
    {
        socket.close();
    }
}
