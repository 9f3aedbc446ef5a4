package io.portgate.bench.harness;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.function.Consumer;

/**
 * rr: request/response round trips over some of the run's TCP connections, one request outstanding per connection,
 * all driven by one Selector loop.
 *
 * <p>A connection whose reply times out, that the target closes or resets, or whose reply is not its request is
 * counted, closed and reconnected after a short pause, so a run survives a balancer dropping connections and shows
 * the cost: its schedule keeps running while it is down, and the sends it owes go out on reconnect, measured from
 * their intended times.
 */
final class TcpRoundTripWorker extends LoadWorker
{
    private static final int DOWN = 0;
    private static final int CONNECTING = 1;
    private static final int IDLE = 2;
    private static final int SENDING = 3;
    private static final int WAITING = 4;
    private static final long RECONNECT_PAUSE_NS = 50_000_000;

    private final InetSocketAddress target;
    private final Connection[] connections;
    private final Consumer<SelectionKey> onReady = this::onReady;
    private Selector selector;

    TcpRoundTripWorker(final BenchContext context, final ErrorLog errors, final InetSocketAddress target,
        final int[] lanes)
    {
        super(context, errors, true, context.isConstantRate());
        this.target = target;
        this.connections = new Connection[lanes.length];
        for (int i = 0; i < lanes.length; i++)
        {
            connections[i] = new Connection(lanes[i], context.size());
        }
    }

    @Override
    void open() throws IOException
    {
        selector = Selector.open();
        for (final Connection c : connections)
        {
            final SocketChannel channel = SocketChannel.open();
            c.channel = channel;
            try
            {
                channel.socket().connect(target, (int)Math.max(1, context.timeout().toMillis()));
            }
            catch (final IOException ex)
            {
                throw new IOException("cannot connect to " + Formats.address(target) + ": " +
                    ErrorLog.describe(ex), ex);
            }
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            c.key = channel.register(selector, SelectionKey.OP_READ, c);
            c.state = IDLE;
        }
    }

    @Override
    void measure() throws IOException
    {
        for (final Connection c : connections)
        {
            c.pacer = Pacer.forLane(startNs, context.ratePerSecond(), context.connections(), c.lane);
        }
        while (true)
        {
            final long nowNs = System.nanoTime();
            if (shouldStop(nowNs))
            {
                return;
            }
            long wakeNs = endNs;
            for (final Connection c : connections)
            {
                final long next = service(c, nowNs);
                if (next - wakeNs < 0)
                {
                    wakeNs = next;
                }
            }
            final long waitNs = wakeNs - System.nanoTime();
            if (waitNs >= SPIN_BELOW_NS)
            {
                selector.select(onReady, waitNs / 1_000_000);
            }
            else if (selector.selectNow(onReady) == 0 && waitNs > 0)
            {
                Thread.onSpinWait();
            }
        }
    }

    /** Sends what is due, times out what is overdue, and returns when this connection next needs attention. */
    private long service(final Connection c, final long nowNs)
    {
        switch (c.state)
        {
            case IDLE ->
            {
                if (!c.pacer.isDue(nowNs))
                {
                    return c.pacer.nextDueNs();
                }
                send(c);
                return c.state == DOWN ? c.reconnectAtNs : c.deadlineNs;
            }
            case DOWN ->
            {
                if (nowNs - c.reconnectAtNs < 0)
                {
                    return c.reconnectAtNs;
                }
                reconnect(c, nowNs);
                return c.state == DOWN ? c.reconnectAtNs : c.deadlineNs;
            }
            default ->
            {
                if (nowNs - c.deadlineNs >= 0)
                {
                    counters.increment(WorkerCounters.TIMEOUTS);
                    drop(c, c.state == CONNECTING ? "connect timed out" : "no reply within the timeout", nowNs);
                    return c.reconnectAtNs;
                }
                return c.deadlineNs;
            }
        }
    }

    private void send(final Connection c)
    {
        final long nowNs = System.nanoTime();
        c.intendedNs = c.pacer.take(nowNs);
        c.sentNs = nowNs;
        c.deadlineNs = nowNs + timeoutNs;
        c.tag = Payload.tag(false, 0, c.sequence++);
        Payload.write(c.tx, c.tag, c.intendedNs);
        c.tx.clear();
        c.rx.clear();
        try
        {
            final int written = c.channel.write(c.tx);
            countBytes(nowNs, written);
            if (c.tx.hasRemaining())
            {
                c.state = SENDING;
                c.key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
            }
            else
            {
                c.state = WAITING;
            }
        }
        catch (final IOException ex)
        {
            drop(c, "send failed", ex, nowNs);
        }
    }

    private void onReady(final SelectionKey key)
    {
        final Connection c = (Connection)key.attachment();
        if (!key.isValid() || c.key != key)
        {
            return;
        }
        final int ready = key.readyOps();
        try
        {
            if ((ready & SelectionKey.OP_CONNECT) != 0)
            {
                finishConnect(c);
                return;
            }
            if ((ready & SelectionKey.OP_WRITE) != 0 && c.state == SENDING)
            {
                countBytes(System.nanoTime(), c.channel.write(c.tx));
                if (!c.tx.hasRemaining())
                {
                    c.state = WAITING;
                    key.interestOps(SelectionKey.OP_READ);
                }
            }
            if ((ready & SelectionKey.OP_READ) != 0)
            {
                receive(c);
            }
        }
        catch (final IOException ex)
        {
            drop(c, "connection failed", ex, System.nanoTime());
        }
    }

    private void receive(final Connection c) throws IOException
    {
        final int read = c.channel.read(c.rx);
        if (read < 0)
        {
            drop(c, "the target closed the connection", System.nanoTime());
            return;
        }
        if (read == 0)
        {
            return;
        }
        if (c.state != SENDING && c.state != WAITING)
        {
            counters.increment(WorkerCounters.MISMATCHES);
            drop(c, "bytes arrived with no request outstanding", System.nanoTime());
            return;
        }
        if (c.rx.hasRemaining())
        {
            return;
        }
        final long nowNs = System.nanoTime();
        if (c.rx.getLong(0) != c.tag || c.rx.getLong(8) != c.intendedNs)
        {
            counters.increment(WorkerCounters.MISMATCHES);
            drop(c, "a reply was not its request echoed", nowNs);
            return;
        }
        complete(nowNs, nowNs - c.intendedNs, nowNs - c.sentNs);
        c.state = IDLE;
        // Closed loop and a backlog both mean the next request is due now: send it before going back to select.
        if (c.pacer.isDue(nowNs) && !shouldStop(nowNs))
        {
            send(c);
        }
    }

    private void reconnect(final Connection c, final long nowNs)
    {
        try
        {
            final SocketChannel channel = SocketChannel.open();
            c.channel = channel;
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            final boolean connected = channel.connect(target);
            c.key = channel.register(selector, connected ? SelectionKey.OP_READ : SelectionKey.OP_CONNECT, c);
            c.state = connected ? IDLE : CONNECTING;
            c.deadlineNs = nowNs + timeoutNs;
        }
        catch (final IOException ex)
        {
            drop(c, "reconnect failed", ex, nowNs);
        }
    }

    private void finishConnect(final Connection c) throws IOException
    {
        if (c.channel.finishConnect())
        {
            c.state = IDLE;
            c.key.interestOps(SelectionKey.OP_READ);
        }
    }

    private void drop(final Connection c, final String what, final Throwable error, final long nowNs)
    {
        fail(what, error);
        close(c, nowNs);
    }

    private void drop(final Connection c, final String message, final long nowNs)
    {
        fail(message);
        close(c, nowNs);
    }

    private void close(final Connection c, final long nowNs)
    {
        closeQuietly(c);
        c.state = DOWN;
        c.reconnectAtNs = nowNs + Math.min(RECONNECT_PAUSE_NS, timeoutNs);
    }

    private static void closeQuietly(final Connection c)
    {
        if (c.key != null)
        {
            c.key.cancel();
            c.key = null;
        }
        if (c.channel != null)
        {
            try
            {
                c.channel.close();
            }
            catch (final IOException ignored)
            {
                // Closing a socket that already failed: nothing more to learn from it.
            }
            c.channel = null;
        }
    }

    @Override
    void closeAll()
    {
        for (final Connection c : connections)
        {
            closeQuietly(c);
        }
        if (selector != null)
        {
            try
            {
                selector.close();
            }
            catch (final IOException ignored)
            {
                // The run is over; a selector that fails to close holds nothing we need.
            }
        }
    }

    /** One connection's state and its preallocated buffers. */
    private static final class Connection
    {
        final int lane;
        final ByteBuffer tx;
        final ByteBuffer rx;
        SocketChannel channel;
        SelectionKey key;
        Pacer pacer;
        int state = DOWN;
        long sequence;
        long tag;
        long intendedNs;
        long sentNs;
        long deadlineNs;
        long reconnectAtNs;

        Connection(final int lane, final int size)
        {
            this.lane = lane;
            this.tx = ByteBuffer.allocateDirect(size);
            this.rx = ByteBuffer.allocateDirect(size);
            Payload.fillPattern(tx);
        }
    }
}
