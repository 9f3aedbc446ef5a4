package io.portgate.bench.harness;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;

/**
 * connect: one client that, over and over, connects, sends one message, reads it back and closes.
 *
 * <p>Its primary distribution is the handshake: from the intended start to the first byte of the reply. Through a
 * balancer the client's TCP connect completes as soon as the balancer's kernel accepts it, so the time to the first
 * byte is what includes the balancer's own connect to its backend. The secondary distribution is the TCP connect
 * alone, from the actual start. Each connection allocates its socket; that is the cost being measured, and the
 * exchange itself reuses preallocated buffers.
 */
final class ConnectWorker extends LoadWorker
{
    private final InetSocketAddress target;
    private final int lane;
    private final ByteBuffer tx;
    private final ByteBuffer rx;
    private Selector selector;
    private volatile SocketChannel current;

    ConnectWorker(final BenchContext context, final ErrorLog errors, final InetSocketAddress target, final int lane)
    {
        super(context, errors, true, true);
        this.target = target;
        this.lane = lane;
        this.tx = ByteBuffer.allocateDirect(context.size());
        this.rx = ByteBuffer.allocateDirect(context.size());
        Payload.fillPattern(tx);
    }

    @Override
    void open() throws IOException
    {
        selector = Selector.open();
        if (lane == 0)
        {
            // One probe connection before the clock starts, so a target that is not there ends the run with one
            // clear sentence instead of a run full of refused connections.
            try (SocketChannel probe = SocketChannel.open())
            {
                probe.socket().connect(target, (int)Math.max(1, context.timeout().toMillis()));
            }
            catch (final IOException ex)
            {
                throw new IOException("cannot connect to " + Formats.address(target) + ": " +
                    ErrorLog.describe(ex), ex);
            }
        }
    }

    @Override
    void measure() throws IOException
    {
        final Pacer pacer = Pacer.forLane(startNs, context.ratePerSecond(), context.connections(), lane);
        while (true)
        {
            long nowNs = System.nanoTime();
            if (shouldStop(nowNs))
            {
                return;
            }
            if (!pacer.isDue(nowNs))
            {
                waitUntil(Math.min(pacer.nextDueNs(), endNs));
                continue;
            }
            nowNs = System.nanoTime();
            final long intendedNs = pacer.take(nowNs);
            exchange(intendedNs, nowNs);
        }
    }

    private void exchange(final long intendedNs, final long startedNs) throws IOException
    {
        final long deadlineNs = startedNs + timeoutNs;
        SocketChannel channel = null;
        try
        {
            channel = SocketChannel.open();
            current = channel;
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            final SelectionKey key = channel.register(selector, 0);
            if (!channel.connect(target) && !await(key, SelectionKey.OP_CONNECT, deadlineNs, channel))
            {
                return;
            }
            final long connectedNs = System.nanoTime();
            tx.clear();
            while (tx.hasRemaining())
            {
                countBytes(connectedNs, channel.write(tx));
                if (tx.hasRemaining() && !await(key, SelectionKey.OP_WRITE, deadlineNs, channel))
                {
                    return;
                }
            }
            rx.clear();
            long firstByteNs = 0;
            while (rx.hasRemaining())
            {
                final int read = channel.read(rx);
                if (read < 0)
                {
                    fail("the target closed the connection before replying in full");
                    return;
                }
                if (read > 0 && firstByteNs == 0)
                {
                    firstByteNs = System.nanoTime();
                }
                if (rx.hasRemaining() && !await(key, SelectionKey.OP_READ, deadlineNs, channel))
                {
                    return;
                }
            }
            complete(System.nanoTime(), firstByteNs - intendedNs, connectedNs - startedNs);
        }
        catch (final IOException ex)
        {
            if (!isStopped())
            {
                fail("connection failed", ex);
            }
        }
        finally
        {
            current = null;
            if (channel != null)
            {
                channel.close();
            }
            // Deregisters the closed channel's key now, not at the next connection's first select.
            selector.selectNow();
        }
    }

    /** Waits for one readiness; false, with the timeout counted, when the deadline passes first. */
    private boolean await(final SelectionKey key, final int op, final long deadlineNs, final SocketChannel channel)
        throws IOException
    {
        key.interestOps(op);
        while (true)
        {
            final long remainingNs = deadlineNs - System.nanoTime();
            if (remainingNs <= 0 || isStopped())
            {
                if (!isStopped())
                {
                    counters.increment(WorkerCounters.TIMEOUTS);
                    fail(op == SelectionKey.OP_CONNECT ? "connect timed out" : "no reply within the timeout");
                }
                return false;
            }
            // readyOps() keeps its last value when a select times out, so only a key selected just now counts.
            if (selector.select(Math.max(1, remainingNs / 1_000_000)) > 0 && selector.selectedKeys().remove(key) &&
                (key.readyOps() & op) != 0)
            {
                if (op == SelectionKey.OP_CONNECT)
                {
                    return channel.finishConnect();
                }
                return true;
            }
        }
    }

    @Override
    void unblock()
    {
        final SocketChannel channel = current;
        if (channel != null)
        {
            try
            {
                channel.close();
            }
            catch (final IOException ignored)
            {
                // Unblocking a stopped client; nothing more to learn from the socket.
            }
        }
    }

    @Override
    void closeAll()
    {
        unblock();
        if (selector != null)
        {
            try
            {
                selector.close();
            }
            catch (final IOException ignored)
            {
                // As above.
            }
        }
    }
}
