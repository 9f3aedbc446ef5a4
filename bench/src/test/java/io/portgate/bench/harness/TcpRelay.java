package io.portgate.bench.harness;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The smallest TCP balancer there is: accepts on 127.0.0.1, connects to one backend, and copies bytes both ways on a
 * thread per direction. Optionally it cuts every connection after a number of bytes from the client, as a balancer
 * that drops connections would.
 */
final class TcpRelay implements AutoCloseable
{
    private final ServerSocket server;
    private final InetSocketAddress backend;
    private final long cutAfterBytes;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    final AtomicLong accepted = new AtomicLong();

    TcpRelay(final InetSocketAddress backend, final long cutAfterBytes) throws IOException
    {
        this.backend = backend;
        this.cutAfterBytes = cutAfterBytes;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().daemon().name("test-relay-accept").start(this::acceptLoop);
    }

    InetSocketAddress address()
    {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort());
    }

    private void acceptLoop()
    {
        try
        {
            while (true)
            {
                final Socket client = server.accept();
                accepted.incrementAndGet();
                final Socket upstream = new Socket(backend.getAddress(), backend.getPort());
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
                sockets.add(client);
                sockets.add(upstream);
                Thread.ofPlatform().daemon().start(() -> copy(client, upstream, cutAfterBytes));
                Thread.ofPlatform().daemon().start(() -> copy(upstream, client, Long.MAX_VALUE));
            }
        }
        catch (final IOException closed)
        {
            // close() closed the server socket.
        }
    }

    private static void copy(final Socket from, final Socket to, final long cutAfter)
    {
        final byte[] buffer = new byte[16 * 1024];
        long copied = 0;
        try
        {
            final InputStream in = from.getInputStream();
            final OutputStream out = to.getOutputStream();
            int n;
            while ((n = in.read(buffer)) >= 0)
            {
                out.write(buffer, 0, n);
                copied += n;
                if (copied >= cutAfter)
                {
                    break;
                }
            }
        }
        catch (final IOException ignored)
        {
            // The other direction closed the sockets.
        }
        closeQuietly(from);
        closeQuietly(to);
    }

    private static void closeQuietly(final Socket socket)
    {
        try
        {
            socket.close();
        }
        catch (final IOException ignored)
        {
            // Already gone.
        }
    }

    @Override
    public void close() throws IOException
    {
        server.close();
        sockets.forEach(TcpRelay::closeQuietly);
    }
}
