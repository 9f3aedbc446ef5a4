package io.portgate.bench.reliability;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Many TCP connections through a balancer to an echo target, opened in batches without a thread each, each proven
 * end to end by an 8-byte message that must come back unchanged.
 */
final class TcpClients implements AutoCloseable
{
    private final List<SocketChannel> open = new ArrayList<>();
    private final List<SocketChannel> unproven = new ArrayList<>();
    private final java.util.Map<SocketChannel, Long> provenAt = new java.util.HashMap<>();
    private final boolean keepUnproven;
    private int failed;

    private TcpClients(final boolean keepUnproven)
    {
        this.keepUnproven = keepUnproven;
    }

    /**
     * Opens connections and checks each with an echo.
     *
     * @param address the balancer's listener.
     * @param count   how many.
     * @param batch   how many connect at once.
     * @param timeoutMs how long a batch may take.
     * @return the clients; {@link #failed()} says how many did not make it.
     */
    static TcpClients open(final InetSocketAddress address, final int count, final int batch, final long timeoutMs)
        throws IOException
    {
        return open(address, count, batch, timeoutMs, false);
    }

    /**
     * As {@link #open(InetSocketAddress, int, int, long)}; with {@code keepUnproven} the connections that connected
     * but got no echo in time stay open (a client waiting on a starved balancer), in {@link #unproven()}.
     */
    static TcpClients open(final InetSocketAddress address, final int count, final int batch, final long timeoutMs,
        final boolean keepUnproven) throws IOException
    {
        final TcpClients clients = new TcpClients(keepUnproven);
        for (int first = 0; first < count; first += batch)
        {
            clients.openBatch(address, first, Math.min(batch, count - first), timeoutMs);
        }
        return clients;
    }

    private void openBatch(final InetSocketAddress address, final int first, final int n, final long timeoutMs)
        throws IOException
    {
        try (Selector selector = Selector.open())
        {
            final List<SocketChannel> batch = new ArrayList<>(n);
            final List<long[]> states = new ArrayList<>(n);
            for (int i = 0; i < n; i++)
            {
                final SocketChannel c = SocketChannel.open();
                c.configureBlocking(false);
                c.setOption(StandardSocketOptions.TCP_NODELAY, true);
                final long[] state = { first + i, 0, 0 };
                try
                {
                    c.connect(address);
                }
                catch (final IOException ex)
                {
                    c.close();
                    failed++;
                    continue;
                }
                c.register(selector, SelectionKey.OP_CONNECT, state);
                batch.add(c);
                states.add(state);
            }
            int pending = batch.size();
            final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
            final ByteBuffer buffer = ByteBuffer.allocate(8);
            while (pending > 0 && System.nanoTime() - deadline < 0)
            {
                selector.select(50);
                for (final SelectionKey key : selector.selectedKeys())
                {
                    final SocketChannel c = (SocketChannel)key.channel();
                    final long[] state = (long[])key.attachment();
                    try
                    {
                        if (key.isConnectable())
                        {
                            c.finishConnect();
                            buffer.clear();
                            buffer.putLong(0, state[0]);
                            c.write(buffer);
                            key.interestOps(SelectionKey.OP_READ);
                        }
                        else if (key.isReadable())
                        {
                            buffer.clear().limit(8 - (int)state[1]);
                            final int read = c.read(buffer);
                            if (read < 0)
                            {
                                throw new IOException("closed");
                            }
                            // Fewer than 8 bytes at once only on a loaded machine: the id's bytes in order.
                            for (int b = 0; b < read; b++)
                            {
                                final int shift = 56 - 8 * (int)(state[1] + b);
                                if ((buffer.get(b) & 0xff) != ((state[0] >>> shift) & 0xff))
                                {
                                    throw new IOException("a byte came back changed");
                                }
                            }
                            state[1] += read;
                            if (state[1] == 8)
                            {
                                key.cancel();
                                open.add(c);
                                provenAt.put(c, System.nanoTime());
                                state[2] = 1;
                                pending--;
                            }
                        }
                    }
                    catch (final IOException ex)
                    {
                        key.cancel();
                        c.close();
                        state[2] = 1;
                        failed++;
                        pending--;
                    }
                }
                selector.selectedKeys().clear();
            }
            for (int i = 0; i < batch.size(); i++)
            {
                if (states.get(i)[2] == 0)
                {
                    final SocketChannel c = batch.get(i);
                    if (keepUnproven && c.isConnected())
                    {
                        unproven.add(c);
                    }
                    else
                    {
                        c.close();
                    }
                    failed++;
                }
            }
        }
    }

    /** @return the connections that were proven. */
    List<SocketChannel> channels()
    {
        return open;
    }

    /**
     * When a connection's echo came back whole: its last byte until the client sends again.
     *
     * @param channel one of {@link #channels()}.
     * @return the {@link System#nanoTime()} of it.
     */
    long provenAt(final SocketChannel channel)
    {
        return provenAt.get(channel);
    }

    /** @return connections that connected but were not proven in time, kept open when asked to. */
    List<SocketChannel> unproven()
    {
        return unproven;
    }

    /** @return how many were not. */
    int failed()
    {
        return failed;
    }

    @Override
    public void close()
    {
        open.addAll(unproven);
        unproven.clear();
        for (final SocketChannel c : open)
        {
            try
            {
                c.close();
            }
            catch (final IOException ignored)
            {
                // closing anyway
            }
        }
        open.clear();
    }
}
