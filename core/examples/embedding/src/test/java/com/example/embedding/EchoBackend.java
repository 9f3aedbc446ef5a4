package com.example.embedding;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A backend on 127.0.0.1 that echoes every byte, and can stop listening and come back on the same port. It counts
 * the connections that sent it something: a health probe's connects send nothing.
 */
final class EchoBackend implements AutoCloseable
{
    private final int port;
    private final AtomicInteger served = new AtomicInteger();
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private volatile ServerSocket server;

    EchoBackend() throws IOException
    {
        server = listen(0);
        port = server.getLocalPort();
    }

    int port()
    {
        return port;
    }

    int served()
    {
        return served.get();
    }

    /** Stops listening and closes what is open: connects are refused from now on. */
    void stop() throws IOException
    {
        server.close();
        for (final Socket socket : open)
        {
            socket.close();
        }
    }

    /** Listens again, on the same port. */
    void restart() throws IOException
    {
        server = listen(port);
    }

    private ServerSocket listen(final int at) throws IOException
    {
        final ServerSocket socket = new ServerSocket();
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), at));
        final Thread acceptor = new Thread(() -> accept(socket), "echo-" + socket.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
        return socket;
    }

    private void accept(final ServerSocket socket)
    {
        while (!socket.isClosed())
        {
            try
            {
                final Socket client = socket.accept();
                open.add(client);
                final Thread echo = new Thread(() -> echo(client), "echo-connection");
                echo.setDaemon(true);
                echo.start();
            }
            catch (final IOException ex)
            {
                return;
            }
        }
    }

    private void echo(final Socket client)
    {
        try (client; InputStream in = client.getInputStream(); OutputStream out = client.getOutputStream())
        {
            final byte[] buffer = new byte[8192];
            int n;
            boolean first = true;
            while ((n = in.read(buffer)) >= 0)
            {
                if (first)
                {
                    served.incrementAndGet();
                    first = false;
                }
                out.write(buffer, 0, n);
            }
        }
        catch (final IOException ex)
        {
            // The client went away or the backend stopped: nothing more to echo.
        }
        finally
        {
            open.remove(client);
        }
    }

    @Override
    public void close() throws IOException
    {
        stop();
    }
}
