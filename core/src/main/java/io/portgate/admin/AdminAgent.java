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
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Locale;
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
    private static final DateTimeFormatter IMF_FIXDATE =
        DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.ROOT).withZone(ZoneOffset.UTC);

    /** A change's answer, back from the operations thread. */
    private record Completion(AdminConnection connection, long generation, AdminResponse response, boolean headOnly)
    {
    }

    private final ServerSocketChannel server;
    private final Selector selector;
    private final AdminLimits limits;
    private final NanoClock clock;
    private final EpochClock epochClock;
    private final AdminRoutes routes;
    private final Executor operations;
    private final AdminCounters counters;
    private final ManyToOneConcurrentArrayQueue<Completion> completions;
    private final ArrayDeque<AdminConnection> free = new ArrayDeque<>();
    private final ArrayDeque<AdminConnection> pending = new ArrayDeque<>();
    private final AdminConnection[] open;
    private final ByteBuffer refusal = ByteBuffer.allocateDirect(AdminConnection.HEAD_CAPACITY);
    private final Consumer<SelectionKey> onReady = this::onReady;
    private final Consumer<SelectionKey> ignoreKey = key -> { };
    private final Consumer<Completion> onCompletion = this::onCompletion;
    private final Set<String> loggedErrors = new HashSet<>();
    private final long headerTimeoutNs;
    private final long requestTimeoutNs;
    private final long idleTimeoutNs;
    private final long writeTimeoutNs;
    private final long lingerTimeoutNs;
    private final byte[] dateField = new byte[29];
    private long dateSecond = Long.MIN_VALUE;
    private int openCount;
    private AdminConnection oldest;
    private AdminConnection newest;
    private SelectionKey serverKey;
    private long nowNs;
    private long nextDeadlineNs;
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
        this.epochClock = epochClock;
        this.routes = routes;
        this.operations = operations;
        this.counters = counters;
        this.selector = Selector.open();
        this.open = new AdminConnection[limits.maxConnections() + 1];
        // Each connection has at most one change in progress, so this never fills.
        this.completions = new ManyToOneConcurrentArrayQueue<>(Math.max(2, limits.maxConnections() + 1));
        this.headerTimeoutNs = limits.headerTimeout().toNanos();
        this.requestTimeoutNs = limits.requestTimeout().toNanos();
        this.idleTimeoutNs = limits.idleTimeout().toNanos();
        this.writeTimeoutNs = limits.writeTimeout().toNanos();
        this.lingerTimeoutNs = limits.lingerTimeout().toNanos();
        this.nowNs = clock.nanoTime();
        this.nextDeadlineNs = nowNs + TimeUnit.MILLISECONDS.toNanos(MAX_BLOCK_MS);
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
        if (nowNs - nextDeadlineNs >= 0)
        {
            work += expire();
        }
        return work;
    }

    @Override
    public void onClose()
    {
        while (openCount > 0)
        {
            close(open[openCount - 1]);
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
        return openCount;
    }

    /**
     * The idle strategy a runner of this loop uses: it sleeps in the selector until a socket is ready, an answer comes
     * back from the operations thread, or the next deadline is due.
     *
     * @return the strategy.
     */
    IdleStrategy idleStrategy()
    {
        return new IdleStrategy()
        {
            @Override
            public void idle(final int workCount)
            {
                if (workCount <= 0)
                {
                    idle();
                }
            }

            @Override
            public void idle()
            {
                block();
            }

            @Override
            public void reset()
            {
            }
        };
    }

    private void block()
    {
        if (!completions.isEmpty() || !pending.isEmpty() || closing)
        {
            return;
        }
        long wakeAt = nextDeadlineNs;
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
        if (openCount >= limits.maxConnections())
        {
            if (oldest == null)
            {
                refuse(channel);
                return;
            }
            counters.closed(AdminCounters.Closed.EVICTED);
            close(oldest);
        }
        final AdminConnection c = free.isEmpty() ? new AdminConnection(limits) : free.pop();
        final SelectionKey key;
        try
        {
            key = channel.register(selector, SelectionKey.OP_READ, c);
        }
        catch (final IOException ex)
        {
            closeQuietly(channel);
            free.push(c);
            return;
        }
        c.open(channel, key, loopback, nowNs);
        c.slot = openCount;
        open[openCount++] = c;
        c.state = AdminConnection.READ_HEAD;
        c.idle = false;
        deadline(c, nowNs + headerTimeoutNs);
        makeNewest(c);
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
        putCanned(refusal, HttpRejection.BUSY);
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
            deadline(c, nowNs + headerTimeoutNs);
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
        c.request = request(c);
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
        dropBody(c);
        if (c.bodyRemaining > 0)
        {
            c.state = AdminConnection.READ_BODY;
            deadline(c, c.requestStartNs + requestTimeoutNs);
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
        dropBody(c);
        if (c.bodyRemaining == 0)
        {
            dispatch(c);
        }
    }

    // No endpoint takes a body: its bytes are dropped as they come, never stored.
    private static void dropBody(final AdminConnection c)
    {
        final int drop = (int)Math.min(c.in.position(), c.bodyRemaining);
        if (drop > 0)
        {
            c.consume(drop);
            c.bodyRemaining -= drop;
        }
    }

    private AdminRoutes.Request request(final AdminConnection c)
    {
        final HttpRequestParser p = c.parser;
        final org.agrona.concurrent.UnsafeBuffer b = c.inView;
        final String method = p.knownMethod() != null ? p.knownMethod() :
            b.getStringWithoutLengthAscii(p.methodStart(), p.methodEnd() - p.methodStart());
        final String path = p.pathEnd() > p.pathStart() ?
            b.getStringWithoutLengthAscii(p.pathStart(), p.pathEnd() - p.pathStart()) : "/";
        final String query = p.queryStart() < 0 ? null :
            b.getStringWithoutLengthAscii(p.queryStart(), p.queryEnd() - p.queryStart());
        final String authorization = p.authorizationStart() < 0 ? null :
            b.getStringWithoutLengthUtf8(p.authorizationStart(), p.authorizationEnd() - p.authorizationStart());
        return new AdminRoutes.Request(method, path, query, c.loopback, authorization);
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
        removeEvictable(c);
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
        putStatusLine(head, response.status());
        putDate(head);
        put(head, "Content-Type: ");
        put(head, response.contentType());
        put(head, "\r\nContent-Length: ");
        putNumber(head, response.body().length);
        put(head, "\r\n");
        if (response.allow() != null)
        {
            put(head, "Allow: ");
            put(head, response.allow());
            put(head, "\r\n");
        }
        putConnection(head, c);
        put(head, "\r\n");
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
        putCanned(c.head, why);
        c.head.flip();
        c.out[0] = c.head;
        c.out[1] = null;
        startWrite(c);
    }

    private void startWrite(final AdminConnection c) throws IOException
    {
        counters.answered();
        c.state = AdminConnection.WRITE;
        deadline(c, nowNs + writeTimeoutNs);
        makeNewest(c);
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
        deadline(c, nowNs + idleTimeoutNs);
        c.key.interestOps(SelectionKey.OP_READ);
        makeNewest(c);
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
        deadline(c, nowNs + lingerTimeoutNs);
        c.key.interestOps(SelectionKey.OP_READ);
        makeNewest(c);
        linger(c);
    }

    private void linger(final AdminConnection c) throws IOException
    {
        while (true)
        {
            c.in.clear();
            final int n = c.channel.read(c.in);
            if (n < 0 || (c.lingered += n) > 4L * limits.maxHeaderBytes() + limits.maxBodyBytes())
            {
                close(c);
                return;
            }
            if (n == 0)
            {
                return;
            }
        }
    }

    private int expire()
    {
        int expired = 0;
        long next = nowNs + TimeUnit.MILLISECONDS.toNanos(MAX_BLOCK_MS);
        // From the end: closing swaps the last connection into the closed one's place, and that one was seen.
        for (int i = openCount - 1; i >= 0; i--)
        {
            final AdminConnection c = open[i];
            if (c.state == AdminConnection.AWAIT_OPERATION)
            {
                continue;
            }
            if (nowNs - c.deadlineNs >= 0)
            {
                timeOut(c);
                expired++;
            }
            else if (c.deadlineNs - next < 0)
            {
                next = c.deadlineNs;
            }
        }
        nextDeadlineNs = next;
        return expired;
    }

    private void timeOut(final AdminConnection c)
    {
        switch (c.state)
        {
            case AdminConnection.READ_HEAD ->
            {
                if (c.idle)
                {
                    counters.closed(AdminCounters.Closed.IDLE_TIMEOUT);
                }
                else
                {
                    counters.closed(AdminCounters.Closed.HEADER_TIMEOUT);
                    if (c.requestStarted)
                    {
                        answerTimeout(c);
                    }
                }
            }
            case AdminConnection.READ_BODY ->
            {
                counters.closed(AdminCounters.Closed.REQUEST_TIMEOUT);
                answerTimeout(c);
            }
            case AdminConnection.WRITE -> counters.closed(AdminCounters.Closed.WRITE_TIMEOUT);
            default ->
            {
                // LINGER: the client had its answer.
            }
        }
        close(c);
    }

    // One attempt, never waited on: the client is slow by definition.
    private void answerTimeout(final AdminConnection c)
    {
        counters.rejected(HttpRejection.REQUEST_TIMEOUT);
        counters.answered();
        c.head.clear();
        putCanned(c.head, HttpRejection.REQUEST_TIMEOUT);
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

    private void deadline(final AdminConnection c, final long deadlineNs)
    {
        c.deadlineNs = deadlineNs;
        if (deadlineNs - nextDeadlineNs < 0)
        {
            nextDeadlineNs = deadlineNs;
        }
    }

    private void close(final AdminConnection c)
    {
        if (c.state == AdminConnection.CLOSED)
        {
            return;
        }
        removeEvictable(c);
        final int last = --openCount;
        final AdminConnection moved = open[last];
        open[c.slot] = moved;
        moved.slot = c.slot;
        open[last] = null;
        c.slot = -1;
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
        free.push(c);
    }

    private void makeNewest(final AdminConnection c)
    {
        removeEvictable(c);
        c.evictable = true;
        c.older = newest;
        c.newer = null;
        if (newest != null)
        {
            newest.newer = c;
        }
        else
        {
            oldest = c;
        }
        newest = c;
    }

    private void removeEvictable(final AdminConnection c)
    {
        if (!c.evictable)
        {
            return;
        }
        if (c.older != null)
        {
            c.older.newer = c.newer;
        }
        else
        {
            oldest = c.newer;
        }
        if (c.newer != null)
        {
            c.newer.older = c.older;
        }
        else
        {
            newest = c.older;
        }
        c.older = null;
        c.newer = null;
        c.evictable = false;
    }

    private void putCanned(final ByteBuffer buffer, final HttpRejection why)
    {
        putStatusLine(buffer, why.status());
        putDate(buffer);
        put(buffer, "Content-Type: application/json; charset=utf-8\r\nContent-Length: ");
        putNumber(buffer, why.body().length);
        put(buffer, why == HttpRejection.BUSY ? "\r\nRetry-After: 1\r\nConnection: close\r\n\r\n" :
            "\r\nConnection: close\r\n\r\n");
        buffer.put(why.body());
    }

    private static void putStatusLine(final ByteBuffer buffer, final int status)
    {
        put(buffer, "HTTP/1.1 ");
        putNumber(buffer, status);
        buffer.put((byte)' ');
        put(buffer, AdminResponse.reasonPhrase(status));
        put(buffer, "\r\n");
    }

    private void putDate(final ByteBuffer buffer)
    {
        final long second = Math.floorDiv(epochClock.time(), 1000);
        if (second != dateSecond)
        {
            // Once a second at most.
            dateSecond = second;
            final String text = IMF_FIXDATE.format(Instant.ofEpochSecond(second));
            for (int i = 0; i < dateField.length; i++)
            {
                dateField[i] = (byte)text.charAt(i);
            }
        }
        put(buffer, "Date: ");
        buffer.put(dateField);
        put(buffer, "\r\n");
    }

    private static void putConnection(final ByteBuffer buffer, final AdminConnection c)
    {
        if (c.closeAfterWrite)
        {
            put(buffer, "Connection: close\r\n");
        }
        else if (c.keepAliveField)
        {
            put(buffer, "Connection: keep-alive\r\n");
        }
    }

    private static void put(final ByteBuffer buffer, final String ascii)
    {
        for (int i = 0, n = ascii.length(); i < n; i++)
        {
            buffer.put((byte)ascii.charAt(i));
        }
    }

    private static void putNumber(final ByteBuffer buffer, final long value)
    {
        if (value >= 10)
        {
            putNumber(buffer, value / 10);
        }
        buffer.put((byte)('0' + value % 10));
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
