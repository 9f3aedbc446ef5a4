package io.portgate.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * A target that never answers a connect: a listener with a backlog of one that never accepts, filled up, so the
 * kernel drops further SYNs and a connect to it neither succeeds nor fails until it times out.
 */
public final class SilentTarget implements AutoCloseable
{
    private final ServerSocketChannel server;
    private final List<Socket> fillers = new ArrayList<>();

    private SilentTarget() throws IOException
    {
        server = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
        for (int i = 0; i < 8; i++)
        {
            final Socket filler = new Socket();
            fillers.add(filler);
            try
            {
                filler.connect(server.getLocalAddress(), 300);
            }
            catch (final IOException timedOut)
            {
                return;
            }
        }
        close();
        throw new IllegalStateException("the accept queue never filled up; connects to it would not hang");
    }

    /**
     * Opens one.
     *
     * @return the silent target.
     */
    public static SilentTarget start()
    {
        try
        {
            return new SilentTarget();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Its port on 127.0.0.1.
     *
     * @return the port.
     */
    public int port()
    {
        try
        {
            return ((InetSocketAddress)server.getLocalAddress()).getPort();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    @Override
    public void close()
    {
        for (final Socket filler : fillers)
        {
            try
            {
                filler.close();
            }
            catch (final IOException ignore)
            {
                // closing anyway
            }
        }
        try
        {
            server.close();
        }
        catch (final IOException ignore)
        {
            // closing anyway
        }
    }
}
