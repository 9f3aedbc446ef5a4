package io.portgate.admin;

import io.portgate.loop.IntrusiveList;

import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * One admin connection's state, owned by the admin loop's thread. The object and its two buffers belong to a slot
 * and are reused by the slot's next connection, so the memory the endpoint holds is bounded by its connection cap
 * whatever its clients send.
 */
final class AdminConnection
{
    /** Reading a request's head; {@link #requestStarted} tells an idle kept-alive connection from a partial request. */
    static final int READ_HEAD = 1;
    /** Reading and dropping a request's body. */
    static final int READ_BODY = 2;
    /** A change is being carried out on the operations thread; nothing is read meanwhile. */
    static final int AWAIT_OPERATION = 3;
    /** Writing a response. */
    static final int WRITE = 4;
    /** The response is out and the write side shut: reading and dropping until the client closes. */
    static final int LINGER = 5;
    /** Closed; the object waits in the pool. */
    static final int CLOSED = 0;

    /** Room for a response's status line and header fields, or a whole canned rejection. */
    static final int HEAD_CAPACITY = 1024;

    final ByteBuffer in;
    final UnsafeBuffer inView;
    final ByteBuffer head = ByteBuffer.allocateDirect(HEAD_CAPACITY);
    final ByteBuffer[] out = new ByteBuffer[2];
    final HttpRequestParser parser;

    SocketChannel channel;
    SelectionKey key;
    boolean loopback;
    int state = CLOSED;
    /** Bumped at every close, so an operation's answer for a former connection of this slot is dropped. */
    long generation;
    long deadlineNs;
    /** When the current request began: the accept, or the first byte of a kept-alive connection's next request. */
    long requestStartNs;
    boolean requestStarted;
    long bodyRemaining;
    /** A kept-alive connection between requests: its deadline is the idle timeout's. */
    boolean idle;
    /** The request read, while its body is dropped. */
    AdminRoutes.Request request;
    /** Whether the request is HEAD: the response goes without its body. */
    boolean headOnly;
    /** Whether the request is HTTP/1.0, which keeps a connection only when asked to. */
    boolean http10;
    /** Whether the response says {@code Connection: keep-alive} (to an HTTP/1.0 client that asked for it). */
    boolean keepAliveField;
    boolean closeAfterWrite;
    long lingered;
    /** Index in the loop's array of open connections. */
    int slot = -1;

    /** Its place in the loop's eviction order, while it holds no request being carried out. */
    final IntrusiveList.Link<AdminConnection> evictLink = new IntrusiveList.Link<>(this);

    AdminConnection(final AdminLimits limits)
    {
        in = ByteBuffer.allocateDirect(limits.maxHeaderBytes());
        inView = new UnsafeBuffer(in);
        parser = new HttpRequestParser(limits);
    }

    /** Makes the slot ready for a new connection. */
    void open(final SocketChannel channel, final SelectionKey key, final boolean loopback, final long nowNs)
    {
        this.channel = channel;
        this.key = key;
        this.loopback = loopback;
        in.clear();
        head.clear().limit(0);
        out[0] = null;
        out[1] = null;
        parser.reset();
        requestStartNs = nowNs;
        requestStarted = false;
        bodyRemaining = 0;
        closeAfterWrite = false;
        lingered = 0;
        idle = false;
        request = null;
        headOnly = false;
        http10 = false;
        keepAliveField = false;
    }

    /**
     * Drops the first {@code consumed} bytes of the read buffer, keeping what follows (a pipelined request).
     *
     * @param consumed bytes to drop.
     */
    void consume(final int consumed)
    {
        final int remaining = in.position() - consumed;
        if (remaining > 0)
        {
            inView.putBytes(0, inView, consumed, remaining);
        }
        in.position(Math.max(0, remaining));
    }

    /** @return whether the response is written out. */
    boolean written()
    {
        return (out[0] == null || !out[0].hasRemaining()) && (out[1] == null || !out[1].hasRemaining());
    }

    /** Drops the body's bytes read so far: no endpoint takes a body, so they are never stored. */
    void dropBody()
    {
        final int drop = (int)Math.min(in.position(), bodyRemaining);
        if (drop > 0)
        {
            consume(drop);
            bodyRemaining -= drop;
        }
    }

    /** @return the request the parser has just read, as the routes take it. */
    AdminRoutes.Request request()
    {
        final HttpRequestParser p = parser;
        final String method = p.knownMethod() != null ? p.knownMethod() :
            inView.getStringWithoutLengthAscii(p.methodStart(), p.methodEnd() - p.methodStart());
        final String path = p.pathEnd() > p.pathStart() ?
            inView.getStringWithoutLengthAscii(p.pathStart(), p.pathEnd() - p.pathStart()) : "/";
        final String query = p.queryStart() < 0 ? null :
            inView.getStringWithoutLengthAscii(p.queryStart(), p.queryEnd() - p.queryStart());
        final String authorization = p.authorizationStart() < 0 ? null :
            inView.getStringWithoutLengthUtf8(p.authorizationStart(), p.authorizationEnd() - p.authorizationStart());
        return new AdminRoutes.Request(method, path, query, loopback, authorization);
    }

    /** @return why a connection that reached its deadline in its state is closed, or null when it had its answer. */
    AdminCounters.Closed timeoutReason()
    {
        return switch (state)
        {
            case READ_HEAD -> idle ? AdminCounters.Closed.IDLE_TIMEOUT : AdminCounters.Closed.HEADER_TIMEOUT;
            case READ_BODY -> AdminCounters.Closed.REQUEST_TIMEOUT;
            case WRITE -> AdminCounters.Closed.WRITE_TIMEOUT;
            default -> null; // LINGER: the client had its answer.
        };
    }

    /** @return whether a connection that reached its deadline is told so (408) before it is closed: a begun request. */
    boolean answersTimeout()
    {
        return state == READ_BODY || (state == READ_HEAD && !idle && requestStarted);
    }
}
