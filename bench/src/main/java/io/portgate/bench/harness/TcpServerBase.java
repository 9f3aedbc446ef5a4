package io.portgate.bench.harness;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.function.Consumer;

/**
 * A TCP server on one Selector loop: accepts, and hands each readable connection to {@link #onReadable}.
 *
 * <p>Every connection reads into one shared buffer, so ten thousand idle connections cost no buffer memory; only a
 * connection with a write pending keeps bytes of its own.
 */
abstract class TcpServerBase extends AbstractBenchServer
{
    protected static final int READ_BUFFER_SIZE = 64 * 1024;

    protected final ByteBuffer readBuffer = ByteBuffer.allocateDirect(READ_BUFFER_SIZE);
    private final ServerSocketChannel server;
    private final Selector selector;
    private final InetSocketAddress local;
    private final Consumer<SelectionKey> onReady = this::onReady;

    TcpServerBase(final Kind kind, final InetSocketAddress bind) throws IOException
    {
        super(kind);
        selector = Selector.open();
        server = ServerSocketChannel.open();
        try
        {
            server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            server.bind(bind, 1024);
            server.configureBlocking(false);
            server.register(selector, SelectionKey.OP_ACCEPT);
            local = bound(server);
        }
        catch (final IOException ex)
        {
            server.close();
            selector.close();
            throw new IOException("cannot listen on " + Formats.address(bind) + ": " + ErrorLog.describe(ex), ex);
        }
        startThread();
    }

    @Override
    public InetSocketAddress localAddress()
    {
        return local;
    }

    @Override
    protected void serve() throws IOException
    {
        selector.select(onReady);
    }

    private void onReady(final SelectionKey key)
    {
        try
        {
            if (key.isAcceptable())
            {
                accept();
            }
            else
            {
                final SocketChannel channel = (SocketChannel)key.channel();
                if (key.isValid() && key.isWritable())
                {
                    onWritable(key, channel);
                }
                if (key.isValid() && key.isReadable())
                {
                    onReadable(key, channel);
                }
            }
        }
        catch (final IOException ex)
        {
            // A client that reset or vanished: its connection ends, the server goes on.
            closeConnection(key);
        }
    }

    private void accept() throws IOException
    {
        SocketChannel channel;
        while ((channel = server.accept()) != null)
        {
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.register(selector, SelectionKey.OP_READ);
            counters.increment(WorkerCounters.ACCEPTED);
        }
    }

    /** Reads what is there; returns the bytes read, or -1 after closing a connection the client closed. */
    protected final int read(final SelectionKey key, final SocketChannel channel) throws IOException
    {
        readBuffer.clear();
        final int read = channel.read(readBuffer);
        if (read < 0)
        {
            closeConnection(key);
            return -1;
        }
        if (read > 0)
        {
            counters.increment(WorkerCounters.OPERATIONS);
            counters.add(WorkerCounters.BYTES, read);
        }
        readBuffer.flip();
        return read;
    }

    protected abstract void onReadable(SelectionKey key, SocketChannel channel) throws IOException;

    protected void onWritable(final SelectionKey key, final SocketChannel channel) throws IOException
    {
    }

    protected static void closeConnection(final SelectionKey key)
    {
        key.cancel();
        try
        {
            key.channel().close();
        }
        catch (final IOException ignored)
        {
            // The connection is gone either way.
        }
    }

    @Override
    protected void wakeUp()
    {
        selector.wakeup();
    }

    @Override
    protected void release()
    {
        try
        {
            for (final SelectionKey key : selector.keys())
            {
                key.channel().close();
            }
            selector.close();
        }
        catch (final IOException ignored)
        {
            // Shutting down: a socket that will not close cleanly is closed by the process soon enough.
        }
    }
}
