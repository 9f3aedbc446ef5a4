package io.portgate.admin;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.NanoClock;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The admin endpoint's HTTP/1.1 loop: one thread, one selector, every connection non-blocking, so no client can hold
 * the thread however slowly it sends or reads. It accepts, reads request heads into each connection's own bounded
 * buffer, parses them with {@link HttpRequestParser}, answers reads ({@code /metrics}, {@code /api/*}) itself and hands
 * changes (drain, weight, reload) to an operations thread, whose answers come back through a queue.
 *
 * <p>The limits of {@link AdminLimits} are deadlines and sizes checked here: the clock is read once per duty cycle and
 * injected, so a test steps the loop with {@link org.agrona.concurrent.AgentInvoker} and moves time by hand.
 *
 * <p>At the connection cap a new connection takes the slot of the one that has waited longest without a request
 * being carried out: under a flood of slow or idle connections the newest client, which typically sends its whole
 * request with its connect, is served, and the flood only churns. The request bytes a new connection brought are read
 * at once on accept, so a complete request is not what gets evicted. Only when every slot holds a change in progress
 * is a newcomer answered 503 and closed.
 */
final class AdminAgent implements Agent
{
    private static final System.Logger LOG = System.getLogger("io.portgate");
    private static final int ACCEPTS_PER_CYCLE = 256;
    private static final int COMPLETIONS_PER_CYCLE = 64;
    private static final int PENDING_PER_CYCLE = 64;
    /** After a failed accept (out of file descriptors, say) accepting pauses this long instead of spinning. */
    private static final long ACCEPT_PAUSE_NS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long MAX_BLOCK_MS = 1000;
    private static final int MAX_DISTINCT_ERRORS = 64;

    /** A change's answer, back from the operations thread. */
    private record Completion(AdminConnection connection, long generation, AdminResponse response, boolean headOnly)
    {
    }

    private final ServerSocketChannel server;
    private final Selector selector;
    private final AdminLimits limits;
    private final NanoClock clock;
    private final AdminRoutes routes;
    private final Executor operations;
    private final AdminCounters counters;
    private final ManyToOneConcurrentArrayQueue<Completion> completions;
    private final AdminConnectionTable table;
    private final ArrayDeque<AdminConnection> pending = new ArrayDeque<>();
    private final ByteBuffer refusal = ByteBuffer.allocateDirect(AdminConnection.HEAD_CAPACITY);
    private final Consumer<SelectionKey> onReady = this::onReady;
    private final Consumer<SelectionKey> ignoreKey = key -> { };
    private final Consumer<Completion> onCompletion = this::onCompletion;
    private final Consumer<AdminConnection> onTimeout = this::timeOut;
    private final Set<String> loggedErrors = new HashSet<>();
    private final long headerTimeoutNs;
    private final long requestTimeoutNs;
    private final long idleTimeoutNs;
    private final long writeTimeoutNs;
    private final long lingerTimeoutNs;
    private final ResponseHeads heads;
    private SelectionKey serverKey;
    private long nowNs;
    private boolean acceptPaused;
    private long acceptResumeNs;
    private volatile boolean closing;

    /**
     * Creates the loop; its selector opens now so that a failure shows before a thread starts.
     *
     * @param server     the bound listening channel; the loop closes it.
     * @param limits     the limits.
     * @param clock      the clock deadlines are kept on.
     * @param epochClock the wall clock, for the {@code Date} field.
     * @param routes     the endpoints.
     * @param operations where changes are carried out; its tasks hand their answers back to this loop.
     * @param counters   where it counts.
     * @throws IOException when no selector can be opened.
     */
    AdminAgent(final ServerSocketChannel server, final AdminLimits limits, final NanoClock clock,
        final EpochClock epochClock, final AdminRoutes routes, final Executor operations,
        final AdminCounters counters) throws IOException
    {
        this.server = server;
        this.limits = limits;
        this.clock = clock;
        this.heads = new ResponseHeads(epochClock);
        this.routes = routes;
        this.operations = operations;
        this.counters = counters;
        this.selector = Selector.open();
        // Each connection has at most one change in progress, so this never fills.
        this.completions = new ManyToOneConcurrentArrayQueue<>(Math.max(2, limits.maxConnections() + 1));
        this.headerTimeoutNs = limits.headerTimeout().toNanos();
        this.requestTimeoutNs = limits.requestTimeout().toNanos();
        this.idleTimeoutNs = limits.idleTimeout().toNanos();
        this.writeTimeoutNs = limits.writeTimeout().toNanos();
        this.lingerTimeoutNs = limits.lingerTimeout().toNanos();
        this.nowNs = clock.nanoTime();
        this.table = new AdminConnectionTable(limits, TimeUnit.MILLISECONDS.toNanos(MAX_BLOCK_MS), nowNs);
    }

    @Override
    public String roleName()
    {
        return "portgate-admin";
    }

    @Override
    public void onStart()
    {
        nowNs = clock.nanoTime();
        try
        {
            server.configureBlocking(false);
            serverKey = server.register(selector, SelectionKey.OP_ACCEPT);
        }
        catch (final IOException ex)
        {
            throw new java.io.UncheckedIOException("admin endpoint cannot watch its listening socket", ex);
        }
    }

    @Override
    public int doWork() throws IOException
    {
        nowNs = clock.nanoTime();
        int work = completions.drain(onCompletion, COMPLETIONS_PER_CYCLE);
        work += servePending();
        work += selector.selectNow(onReady);
        if (acceptPaused && nowNs - acceptResumeNs >= 0)
        {
            acceptPaused = false;
            serverKey.interestOps(SelectionKey.OP_ACCEPT);
            work++;
        }
        if (nowNs - table.nextDeadlineNs() >= 0)
        {
            work += table.expire(nowNs, onTimeout);
        }
        return work;
    }

    @Override
    public void onClose()
    {
        for (AdminConnection c = table.last(); c != null; c = table.last())
        {
            close(c);
        }
        closeQuietly(server);
        try
        {
            selector.close();
        }
        catch (final IOException ex)
        {
            LOG.log(System.Logger.Level.DEBUG, "admin: closing the selector: {0}", ex.getMessage());
        }
        completions.clear();
        pending.clear();
    }

    /** Keeps the loop from sleeping in its selector from now on, so that closing its runner is prompt. */
    void wakeForClose()
    {
        closing = true;
        selector.wakeup();
    }

    /** @return how many connections are open now. Loop thread only (tests step the loop by hand). */
    int openConnections()
    {
        return table.size();
    }

    /**
     * The idle strategy a runner of this loop uses: it sleeps in the selector until a socket is ready, an answer comes
     * back from the operations thread, or the next deadline is due.
     *
     * @return the strategy.
     */
    IdleStrategy idleStrategy()
    {
        return new BlockingIdleStrategy(this::block);
    }

    private void block()
    {
        if (!completions.isEmpty() || !pending.isEmpty() || closing)
        {
            return;
        }
        long wakeAt = table.nextDeadlineNs();
        if (acceptPaused && acceptResumeNs - wakeAt < 0)
        {
            wakeAt = acceptResumeNs;
        }
        final long waitNs = wakeAt - clock.nanoTime();
        final long waitMs = Math.clamp(TimeUnit.NANOSECONDS.toMillis(waitNs) + 1, 1, MAX_BLOCK_MS);
        try
        {
            // Ready keys are only noted: epoll is level-triggered, so the next selectNow reports them again with a
            // fresh clock reading.
            selector.select(ignoreKey, waitMs);
        }
        catch (final IOException ex)
        {
            onError(ex);
        }
    }

    private void onReady(final SelectionKey key)
    {
        if (key == serverKey)
        {
            accept();
            return;
        }
        final AdminConnection c = (AdminConnection)key.attachment();
        if (c == null || c.state == AdminConnection.CLOSED || !key.isValid())
        {
            return;
        }
        try
        {
            switch (c.state)
            {
                case AdminConnection.READ_HEAD -> readHead(c);
                case AdminConnection.READ_BODY -> readBody(c);
                case AdminConnection.WRITE -> write(c);
                case AdminConnection.LINGER -> linger(c);
                default ->
                {
                    // A change in progress: nothing to do until its answer comes back.
                }
            }
        }
        catch (final IOException ex)
        {
            // The client went away (a reset, a broken pipe): nothing to answer.
            close(c);
        }
        catch (final RuntimeException ex)
        {
            onError(ex);
            close(c);
        }
    }

    private void accept()
    {
        for (int i = 0; i < ACCEPTS_PER_CYCLE; i++)
        {
            final SocketChannel channel;
            try
            {
                channel = server.accept();
            }
            catch (final IOException ex)
            {
                // EMFILE, ENFILE, ENOBUFS: the connection stays in the kernel's queue; retrying at once would spin.
                counters.acceptFailed();
                acceptPaused = true;
                acceptResumeNs = nowNs + ACCEPT_PAUSE_NS;
                serverKey.interestOps(0);
                onError(ex);
                return;
            }
            if (channel == null)
            {
                return;
            }
            counters.accepted();
            admit(channel);
        }
    }

    private void admit(final SocketChannel channel)
    {
        final boolean loopback;
        try
        {
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            loopback = ((InetSocketAddress)channel.getRemoteAddress()).getAddress().isLoopbackAddress();
        }
        catch (final IOException ex)
        {
            closeQuietly(channel);
            return;
        }
        if (table.isFull())
        {
            final AdminConnection oldest = table.oldestEvictable();
            if (oldest == null)
            {
                refuse(channel);
                return;
            }
            counters.closed(AdminCounters.Closed.EVICTED);
            close(oldest);
        }
        final AdminConnection c = table.take();
        final SelectionKey key;
        try
        {
            key = channel.register(selector, SelectionKey.OP_READ, c);
        }
        catch (final IOException ex)
        {
            closeQuietly(channel);
            table.giveBack(c);
            return;
        }
        c.open(channel, key, loopback, nowNs);
        c.state = AdminConnection.READ_HEAD;
        c.idle = false;
        table.add(c);
        table.deadline(c, nowNs + headerTimeoutNs);
        try
        {
            // Most clients send the whole request with the connect: take it now, so it is served, not evicted.
            readHead(c);
        }
        catch (final IOException ex)
        {
            close(c);
        }
    }

    private void refuse(final SocketChannel channel)
    {
        counters.rejected(HttpRejection.BUSY);
        counters.closed(AdminCounters.Closed.REFUSED);
        counters.answered();
        refusal.clear();
        heads.refusal(refusal, HttpRejection.BUSY);
        refusal.flip();
        try
        {
            channel.write(refusal);
        }
        catch (final IOException ignored)
        {
            // It was refused either way.
        }
        closeQuietly(channel);
    }

    private void readHead(final AdminConnection c) throws IOException
    {
        final int n = c.channel.read(c.in);
        if (n < 0)
        {
            close(c);
            return;
        }
        if (n > 0)
        {
            startRequest(c);
            parseHead(c);
        }
    }

    private void startRequest(final AdminConnection c)
    {
        if (c.idle)
        {
            c.idle = false;
            c.requestStartNs = nowNs;
            table.deadline(c, nowNs + headerTimeoutNs);
        }
        c.requestStarted = true;
    }

    private void parseHead(final AdminConnection c) throws IOException
    {
        final HttpRequestParser parser = c.parser;
        final int result = parser.parse(c.inView, c.in.position());
        if (result == HttpRequestParser.NEED_MORE)
        {
            return;
        }
        if (result == HttpRequestParser.REJECTED)
        {
            reject(c, parser.rejection());
            return;
        }
        c.request = c.request();
        c.headOnly = "HEAD".equals(c.request.method());
        c.http10 = parser.minorVersion() == 0;
        final long contentLength = Math.max(0, parser.contentLength());
        // With Expect: 100-continue the body may never come: answer without it, then close.
        final boolean answerBeforeBody = contentLength > 0 && parser.expectContinue();
        c.closeAfterWrite = !parser.keepAlive() || answerBeforeBody || closing;
        c.keepAliveField = c.http10 && !c.closeAfterWrite;
        c.consume(result);
        parser.reset();
        c.bodyRemaining = answerBeforeBody ? 0 : contentLength;
        c.dropBody();
        if (c.bodyRemaining > 0)
        {
            c.state = AdminConnection.READ_BODY;
            table.deadline(c, c.requestStartNs + requestTimeoutNs);
            return;
        }
        dispatch(c);
    }

    private void readBody(final AdminConnection c) throws IOException
    {
        final int n = c.channel.read(c.in);
        if (n < 0)
        {
            close(c);
            return;
        }
        c.dropBody();
        if (c.bodyRemaining == 0)
        {
            dispatch(c);
        }
    }

    private void dispatch(final AdminConnection c) throws IOException
    {
        final AdminRoutes.Request request = c.request;
        c.request = null;
        if (!AdminRoutes.isChange(request))
        {
            respond(c, routes.handle(request));
            return;
        }
        c.state = AdminConnection.AWAIT_OPERATION;
        c.key.interestOps(0);
        table.keep(c);
        final long generation = c.generation;
        final boolean headOnly = c.headOnly;
        try
        {
            operations.execute(() ->
            {
                final AdminResponse response = routes.handle(request);
                while (!completions.offer(new Completion(c, generation, response, headOnly)))
                {
                    Thread.onSpinWait(); // cannot happen: one change per connection at most, and room for all
                }
                selector.wakeup();
            });
        }
        catch (final RejectedExecutionException ex)
        {
            // Closing down: the change is not carried out.
            reject(c, HttpRejection.BUSY);
        }
    }

    private void onCompletion(final Completion completion)
    {
        final AdminConnection c = completion.connection();
        if (c.generation != completion.generation() || c.state != AdminConnection.AWAIT_OPERATION)
        {
            return;
        }
        try
        {
            c.headOnly = completion.headOnly();
            respond(c, completion.response());
        }
        catch (final IOException ex)
        {
            close(c);
        }
        catch (final RuntimeException ex)
        {
            onError(ex);
            close(c);
        }
    }

    private void respond(final AdminConnection c, final AdminResponse response) throws IOException
    {
        final ByteBuffer head = c.head;
        head.clear();
        heads.answer(head, response, c);
        head.flip();
        c.out[0] = head;
        c.out[1] = c.headOnly || response.body().length == 0 ? null : ByteBuffer.wrap(response.body());
        startWrite(c);
    }

    private void reject(final AdminConnection c, final HttpRejection why) throws IOException
    {
        counters.rejected(why);
        c.closeAfterWrite = true;
        c.head.clear();
        heads.refusal(c.head, why);
        c.head.flip();
        c.out[0] = c.head;
        c.out[1] = null;
        startWrite(c);
    }

    private void startWrite(final AdminConnection c) throws IOException
    {
        counters.answered();
        c.state = AdminConnection.WRITE;
        table.deadline(c, nowNs + writeTimeoutNs);
        table.makeNewest(c);
        write(c);
    }

    private void write(final AdminConnection c) throws IOException
    {
        if (c.out[1] == null)
        {
            c.channel.write(c.out[0]);
        }
        else
        {
            c.channel.write(c.out, 0, 2);
        }
        if (!c.written())
        {
            c.key.interestOps(SelectionKey.OP_WRITE);
            return;
        }
        c.out[1] = null;
        if (c.closeAfterWrite)
        {
            startLinger(c);
            return;
        }
        c.state = AdminConnection.READ_HEAD;
        c.idle = true;
        c.requestStarted = false;
        table.deadline(c, nowNs + idleTimeoutNs);
        c.key.interestOps(SelectionKey.OP_READ);
        table.makeNewest(c);
        if (c.in.position() > 0)
        {
            // A pipelined request already read: served on the next duty cycle, not by recursion.
            pending.add(c);
        }
    }

    private int servePending()
    {
        int served = 0;
        for (; served < PENDING_PER_CYCLE && !pending.isEmpty(); served++)
        {
            final AdminConnection c = pending.poll();
            if (c.state != AdminConnection.READ_HEAD || c.in.position() == 0)
            {
                continue;
            }
            try
            {
                startRequest(c);
                parseHead(c);
            }
            catch (final IOException ex)
            {
                close(c);
            }
            catch (final RuntimeException ex)
            {
                onError(ex);
                close(c);
            }
        }
        return served;
    }

    private void startLinger(final AdminConnection c) throws IOException
    {
        // FIN after the response, then read until the client closes: closing with its bytes unread would make the
        // kernel send a reset, which can destroy the response before the client reads it.
        c.channel.shutdownOutput();
        c.state = AdminConnection.LINGER;
        c.lingered = 0;
        c.in.clear();
        table.deadline(c, nowNs + lingerTimeoutNs);
        c.key.interestOps(SelectionKey.OP_READ);
        table.makeNewest(c);
        linger(c);
    }

    private void linger(final AdminConnection c) throws IOException
    {
        int n;
        do
        {
            c.in.clear();
            n = c.channel.read(c.in);
            if (n < 0 || (c.lingered += n) > 4L * limits.maxHeaderBytes() + limits.maxBodyBytes())
            {
                close(c);
                return;
            }
        }
        while (n > 0);
    }

    private void timeOut(final AdminConnection c)
    {
        final AdminCounters.Closed reason = c.timeoutReason();
        if (reason != null)
        {
            counters.closed(reason);
        }
        if (c.answersTimeout())
        {
            answerTimeout(c);
        }
        close(c);
    }

    // One attempt, never waited on: the client is slow by definition.
    private void answerTimeout(final AdminConnection c)
    {
        counters.rejected(HttpRejection.REQUEST_TIMEOUT);
        counters.answered();
        c.head.clear();
        heads.refusal(c.head, HttpRejection.REQUEST_TIMEOUT);
        c.head.flip();
        try
        {
            c.channel.write(c.head);
        }
        catch (final IOException ignored)
        {
            // closed either way
        }
    }

    private void close(final AdminConnection c)
    {
        if (c.state == AdminConnection.CLOSED)
        {
            return;
        }
        table.remove(c);
        if (c.key != null)
        {
            c.key.cancel();
        }
        closeQuietly(c.channel);
        c.state = AdminConnection.CLOSED;
        c.generation++;
        c.channel = null;
        c.key = null;
        c.request = null;
        c.out[0] = null;
        c.out[1] = null;
        table.giveBack(c);
    }

    private void onError(final Throwable ex)
    {
        final String key = ex.getClass().getName() + ": " + ex.getMessage();
        if (loggedErrors.size() < MAX_DISTINCT_ERRORS && loggedErrors.add(key))
        {
            LOG.log(System.Logger.Level.WARNING, "admin: " + key + " (logged once)");
        }
    }

    private static void closeQuietly(final java.nio.channels.Channel channel)
    {
        try
        {
            if (channel != null)
            {
                channel.close();
            }
        }
        catch (final IOException ignored)
        {
            // nothing more to do with it
        }
    }
}
