package io.portgate.tcp;

import io.portgate.access.AccessLogQueue;
import io.portgate.access.AccessRecord;
import io.portgate.access.AccessRules;
import io.portgate.access.EndReason;
import io.portgate.access.SourceLimits;
import io.portgate.ffm.NativeFd;
import io.portgate.loop.RouteAccess;
import io.portgate.net.Ip;
import io.portgate.proxy.ProxyHeader;
import io.portgate.proxy.ProxyParser;
import io.portgate.proxy.ProxyWriter;
import io.portgate.loop.IntrusiveList;
import io.portgate.loop.IoHandler;
import io.portgate.loop.LocalFailure;
import io.portgate.loop.TimeoutHandler;
import io.portgate.loop.Worker;
import io.portgate.metrics.RouteCounters;
import org.agrona.DeadlineTimerWheel;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * A client connection and its target connection on one worker, pooled and reused. It connects to a target first
 * and reads the client only once that succeeded; then each direction moves bytes through a {@link Transfer}. A
 * source is read only when its destination has nothing pending, so interest operations change only when a write
 * falls short, and never in a ping-pong exchange.
 *
 * <p>Everything of its listener (policy, counters, limits, recorders) it reaches through its {@link TcpRouteRuntime},
 * one reference that a reload swaps.
 *
 * <p>Before a target is picked, the client is checked: on a listener with {@code accept-proxy} its PROXY header is
 * read first (only from a trusted source, within {@code connect-timeout}) and the address in it becomes the
 * client's; then the {@code allow}/{@code deny} rules and the per-source limits. A refused connection is closed
 * without any target being contacted. With {@code send-proxy}, the header naming the client goes to the target
 * first, followed by whatever client bytes arrived behind the client's own header; only then is the client read.
 * When it ends, an access record leaves through the worker's queue.
 *
 * <p>The two transfers are taken together when either direction has bytes to move and given back together once both
 * are empty, so an idle connection holds no memory. Taking them as a pair is what keeps a tight memory budget from
 * deadlocking: a connection with bytes in flight can always read its other direction, and one waiting for memory
 * holds none.
 */
final class TcpConnection implements IoHandler, TimeoutHandler
{
    private static final long NO_TIMER = DeadlineTimerWheel.NULL_DEADLINE;
    private static final int FREE = 0;
    private static final int CONNECTING = 1;
    private static final int OPEN = 2;
    /** Reading the client's PROXY header. */
    private static final int HEADER = 3;
    /** Where a client's PROXY header is read into the scratch buffer. */
    private static final int HEADER_AT = 0;
    private static final int SCRATCH_SIZE = ProxyParser.DEFAULT_V2_MAX_LENGTH;
    private static final int SEND_HEADER_SIZE = 128;
    /** What an attempt to open a socket to a target came to. */
    private static final int OPENED = 0;
    private static final int TARGET_FAILED = 1;
    private static final int LOCAL_FAILED = 2;
    private static final String OPENING = "opening a socket to a target";

    private final TcpForwarder forwarder;
    private TcpRouteRuntime runtime;
    private RouteCounters counters;
    /** Client to target. */
    private final Flow upstream = new Flow();
    /** Target to client. */
    private final Flow downstream = new Flow();
    private Worker worker;
    private TcpRoute route;
    /** The pool of the buffer size the connection started with: a reload that changes the size leaves it be. */
    private TransferPool transfers;
    private int portOffset;
    private int state = FREE;
    private int target = -1;
    private long connectStartNs;
    private long connectedNs;
    /** Still to record this connection's first-byte time. */
    private boolean firstBytePending;
    /** When the client's first bytes reached the target; until then the target may speak first. */
    private boolean requestSent;
    private long requestSentNs;
    private int attempts;
    private long triedTargets;
    private long hashKey;
    private SocketChannel client;
    private SocketChannel backend;
    private long connectTimerId = NO_TIMER;
    private SelectionKey clientKey;
    private SelectionKey backendKey;
    private long idleTimerId = NO_TIMER;
    private int clientInterest;
    private int backendInterest;
    private long lastActivityNs;
    /** Neither side is read until the memory budget allows a pair of transfers. */
    private boolean awaitingMemory;
    /** The client as the listener sees it: the connection's source, or the one its PROXY header names. */
    private long clientHigh;
    private long clientLow;
    private int clientPort;
    /** The address the client connected to (or the one its PROXY header names). */
    private long localHigh;
    private long localLow;
    private int localPort;
    private long acceptedNs;
    private long bytesIn;
    private long bytesOut;
    /** An {@link EndReason}, or -1 until one is known. */
    private int endReason = -1;
    /** The per-source table that admitted the connection and its handle there. */
    private SourceLimits sourceTable;
    private long sourceHandle;
    private long headerTimerId = NO_TIMER;
    private int headerRead;
    /** The client's PROXY header and what followed it; made on first need, kept while the connection is pooled. */
    private ByteBuffer scratch;
    /** The PROXY header for the target; made on first need. */
    private ByteBuffer sendHeader;
    private UnsafeBuffer sendHeaderView;
    /** Client bytes that arrived behind its PROXY header, still to go to the target (in {@link #scratch}). */
    private boolean leftover;
    /** The target's PROXY header or the leftover bytes are still to be written. */
    private boolean prefixPending;

    /** Its place among the forwarder's open connections. */
    final IntrusiveList.Link<TcpConnection> activeLink = new IntrusiveList.Link<>(this);
    /** Its place among the connections waiting for buffer memory. */
    final IntrusiveList.Link<TcpConnection> waiterLink = new IntrusiveList.Link<>(this);

    /** One direction's state: where it reads, where it writes (with their file descriptors for splice). */
    private static final class Flow
    {
        Transfer transfer;
        SocketChannel source;
        SocketChannel destination;
        int sourceFd = -1;
        int destinationFd = -1;
        /** The source sent its FIN. */
        boolean eof;
        /** The FIN was passed on to the destination. */
        boolean shutdown;

        int pending()
        {
            return transfer == null ? 0 : transfer.pending();
        }

        void connect(final SocketChannel from, final int fromFd, final SocketChannel to, final int toFd)
        {
            source = from;
            sourceFd = fromFd;
            destination = to;
            destinationFd = toFd;
        }

        void clear()
        {
            transfer = null;
            eof = false;
            shutdown = false;
            connect(null, -1, null, -1);
        }
    }

    TcpConnection(final TcpForwarder forwarder)
    {
        this.forwarder = forwarder;
    }

    /**
     * Moves this connection onto the runtime a reload made for its listener: its listener and target keep going
     * under their new ids. Worker thread only.
     *
     * @param next   its listener now.
     * @param target its target's id now, -1 when it has none yet.
     */
    void remap(final TcpRouteRuntime next, final int target)
    {
        // Gauges move with the connection: a no-op where the labels did not change (both name the same cell), a
        // move where a listener or pool was renamed.
        counters.addListener(TcpSlots.L_ACTIVE, -1);
        next.counters().addListener(TcpSlots.L_ACTIVE, 1);
        if (state == OPEN)
        {
            counters.addTarget(this.target, TcpSlots.T_ACTIVE, -1);
            next.counters().addTarget(target, TcpSlots.T_ACTIVE, 1);
        }
        use(next);
        this.target = target;
        // Tried targets are remembered by id, and ids moved: a connect still in progress may retry any target.
        this.triedTargets = 0;
    }

    private void use(final TcpRouteRuntime runtime)
    {
        this.runtime = runtime;
        this.route = runtime.route();
        this.counters = runtime.counters();
    }

    TcpRouteRuntime runtime()
    {
        return runtime;
    }

    boolean isOpen()
    {
        return state == OPEN;
    }

    int target()
    {
        return target;
    }

    void start(final TcpRouteRuntime runtime, final int portOffset, final SocketChannel client,
        final boolean noDelayInherited, final long nowNs)
    {
        this.worker = forwarder.worker();
        use(runtime);
        this.transfers = runtime.transfers();
        this.portOffset = portOffset;
        this.client = client;
        this.state = CONNECTING;
        this.attempts = 0;
        this.triedTargets = 0;
        this.target = -1;
        this.acceptedNs = nowNs;
        this.bytesIn = 0;
        this.bytesOut = 0;
        this.endReason = -1;
        this.sourceTable = null;
        this.leftover = false;
        this.prefixPending = false;
        if (sendHeader != null)
        {
            // Nothing of a former connection's header may go to this one's target.
            sendHeader.limit(0);
        }
        upstream.clear();
        downstream.clear();
        awaitingMemory = false;
        final RouteAccess access = route.access();
        try
        {
            client.configureBlocking(false);
            TcpSockets.configureAccepted(client, route, noDelayInherited);
            final InetSocketAddress remote = (InetSocketAddress)client.getRemoteAddress();
            final InetAddress remoteAddress = remote.getAddress();
            clientHigh = Ip.high(remoteAddress);
            clientLow = Ip.low(remoteAddress);
            clientPort = remote.getPort();
            hashKey = TcpSockets.hashOf(clientHigh, clientLow);
            if (access.sendProxy() != 0)
            {
                final InetSocketAddress local = (InetSocketAddress)client.getLocalAddress();
                localHigh = Ip.high(local.getAddress());
                localLow = Ip.low(local.getAddress());
                localPort = local.getPort();
            }
            // Registered with no interest: the client is not read until a target is connected.
            clientKey = worker.register(client, 0, this);
            clientInterest = 0;
        }
        catch (final IOException ex)
        {
            final int local = LocalFailure.classify(ex);
            if (local != LocalFailure.NONE)
            {
                failLocally(local, ex, nowNs);
                return;
            }
            endReason = EndReason.RESET;
            release(true);
            return;
        }
        if (access.proxyMode() != 0)
        {
            if (!access.trusts(clientHigh, clientLow))
            {
                refuse(RouteAccess.PROXY_UNTRUSTED, EndReason.PROXY_HEADER);
                return;
            }
            state = HEADER;
            headerRead = 0;
            if (scratch == null)
            {
                scratch = ByteBuffer.allocateDirect(SCRATCH_SIZE);
            }
            clientInterest = SelectionKey.OP_READ;
            clientKey.interestOps(clientInterest);
            headerTimerId = worker.scheduleTimeout(nowNs + route.connectTimeoutNs(), this);
            return;
        }
        admit(nowNs);
    }

    /** The client is known: checks the rules and limits, then connects. */
    private void admit(final long nowNs)
    {
        final RouteAccess access = route.access();
        if (access.restricts())
        {
            final int verdict = access.rules().check(clientHigh, clientLow);
            if (verdict != AccessRules.ALLOWED)
            {
                refuse(verdict == AccessRules.DENIED ? RouteAccess.DENIED : RouteAccess.NOT_ALLOWED,
                    EndReason.REFUSED_BY_RULE);
                return;
            }
        }
        final SourceLimits table = runtime.sourceLimits();
        if (table != null)
        {
            final long handle = table.acquire(clientHigh, clientLow, nowNs);
            if (handle < 0)
            {
                refuse(handle == -SourceLimits.CONCURRENCY_LIMIT ? RouteAccess.CONCURRENCY_LIMIT :
                    RouteAccess.RATE_LIMIT, EndReason.LIMIT);
                return;
            }
            sourceTable = table;
            sourceHandle = handle;
        }
        if (access.sendProxy() != 0)
        {
            prepareSendHeader(access.sendProxy());
        }
        connectNext(nowNs);
    }

    private void prepareSendHeader(final int version)
    {
        if (sendHeader == null)
        {
            sendHeader = ByteBuffer.allocateDirect(SEND_HEADER_SIZE);
            sendHeaderView = new UnsafeBuffer(sendHeader);
        }
        final int length = version == 1 ?
            ProxyWriter.writeV1(sendHeaderView, 0, clientHigh, clientLow, clientPort, localHigh, localLow, localPort) :
            ProxyWriter.writeV2(sendHeaderView, 0, ProxyHeader.TRANSPORT_STREAM, clientHigh, clientLow, clientPort,
                localHigh, localLow, localPort);
        sendHeader.limit(length).position(0);
        prefixPending = true;
    }

    private void refuse(final int reason, final int end)
    {
        counters.addListener(TcpSlots.refused(reason), 1);
        endReason = end;
        release(false);
    }

    /** Reads what the client sent of its PROXY header so far. */
    private void readHeader(final long nowNs)
    {
        final ProxyParser parser = runtime.proxyParser();
        scratch.limit(HEADER_AT + parser.maxLength()).position(HEADER_AT + headerRead);
        final int read;
        try
        {
            read = client.read(scratch);
        }
        catch (final IOException ex)
        {
            endReason = EndReason.RESET;
            release(true);
            return;
        }
        if (read > 0)
        {
            headerRead += read;
        }
        final ProxyHeader header = runtime.proxyHeader();
        final int result = headerRead == 0 ? ProxyParser.NEED_MORE :
            parser.parse(scratch, HEADER_AT, headerRead, header);
        if (result == ProxyParser.NEED_MORE)
        {
            if (read < 0)
            {
                refuse(headerRead == 0 ? RouteAccess.PROXY_MISSING : RouteAccess.PROXY_MALFORMED,
                    EndReason.PROXY_HEADER);
            }
            else if (headerRead >= parser.maxLength())
            {
                refuse(RouteAccess.PROXY_OVERSIZED, EndReason.PROXY_HEADER);
            }
            return;
        }
        if (result < 0)
        {
            refuse(RouteAccess.proxyReason(ProxyParser.reason(result)), EndReason.PROXY_HEADER);
            return;
        }
        worker.cancelTimeout(headerTimerId);
        headerTimerId = NO_TIMER;
        if (header.hasAddresses())
        {
            clientHigh = header.sourceHigh();
            clientLow = header.sourceLow();
            clientPort = header.sourcePort();
            localHigh = header.destinationHigh();
            localLow = header.destinationLow();
            localPort = header.destinationPort();
            hashKey = TcpSockets.hashOf(clientHigh, clientLow);
        }
        if (headerRead > result)
        {
            scratch.limit(HEADER_AT + headerRead).position(HEADER_AT + result);
            leftover = true;
            prefixPending = true;
        }
        state = CONNECTING;
        clientInterest = 0;
        clientKey.interestOps(0);
        admit(nowNs);
    }

    /**
     * Writes what must reach the target before any client byte: its PROXY header, then client bytes that came
     * behind the client's own header.
     */
    private void writePrefix()
    {
        try
        {
            if (sendHeader != null && sendHeader.hasRemaining())
            {
                backend.write(sendHeader);
            }
            if (leftover && (sendHeader == null || !sendHeader.hasRemaining()))
            {
                final int written = backend.write(scratch);
                if (written > 0)
                {
                    bytesIn += written;
                    counters.addListener(TcpSlots.L_BYTES_IN, written);
                    counters.addTarget(target, TcpSlots.T_BYTES_IN, written);
                }
                leftover = scratch.hasRemaining();
            }
        }
        catch (final IOException ex)
        {
            reset();
            return;
        }
        prefixPending = leftover || sendHeader != null && sendHeader.hasRemaining();
    }

    @Override
    public void onReady(final SelectionKey key, final long nowNs)
    {
        if (state == HEADER)
        {
            if (key == clientKey)
            {
                readHeader(nowNs);
            }
            return;
        }
        if (state == CONNECTING)
        {
            if (key == backendKey)
            {
                finishConnect(nowNs);
            }
            return;
        }
        if (state != OPEN)
        {
            return;
        }
        final int ready = key.readyOps();
        if (key == clientKey)
        {
            if ((ready & SelectionKey.OP_WRITE) != 0)
            {
                onWritable(downstream, nowNs);
            }
            if (state == OPEN && (ready & SelectionKey.OP_READ) != 0)
            {
                pump(upstream, nowNs);
            }
        }
        else
        {
            if ((ready & SelectionKey.OP_WRITE) != 0)
            {
                if (prefixPending)
                {
                    writePrefix();
                }
                else
                {
                    onWritable(upstream, nowNs);
                }
            }
            if (state == OPEN && (ready & SelectionKey.OP_READ) != 0)
            {
                pump(downstream, nowNs);
            }
        }
        if (state == OPEN)
        {
            releaseTransfersIfEmpty();
            updateInterest();
        }
    }

    @Override
    public void onTimeout(final long timerId, final long nowNs)
    {
        if (timerId == headerTimerId)
        {
            headerTimerId = NO_TIMER;
            if (state == HEADER)
            {
                refuse(RouteAccess.PROXY_TIMEOUT, EndReason.PROXY_HEADER);
            }
        }
        else if (timerId == connectTimerId)
        {
            connectTimerId = NO_TIMER;
            onConnectFailed(false, nowNs);
        }
        else if (timerId == idleTimerId)
        {
            idleTimerId = NO_TIMER;
            final long deadlineNs = lastActivityNs + route.idleTimeoutNs();
            if (nowNs - deadlineNs >= 0)
            {
                counters.addListener(TcpSlots.L_IDLE_TIMEOUTS, 1);
                endReason(EndReason.IDLE_TIMEOUT);
                release(false);
            }
            else
            {
                // Activity does not touch the timer; the deadline is only moved when it comes due.
                idleTimerId = worker.scheduleTimeout(deadlineNs, this);
            }
        }
    }

    /** Closes both sockets at once, without waiting for pending bytes. */
    void close()
    {
        endReason(EndReason.SHUTDOWN);
        release(false);
    }

    /** Records how the connection ends, unless that is already known. */
    private void endReason(final int reason)
    {
        if (endReason < 0)
        {
            endReason = reason;
        }
    }

    /**
     * Tries again to take the transfers this connection waits for.
     *
     * @return true when it no longer waits.
     */
    boolean retryMemory()
    {
        if (state != OPEN || !awaitingMemory)
        {
            return true;
        }
        if (!takeTransfers())
        {
            return false;
        }
        awaitingMemory = false;
        updateInterest();
        return true;
    }

    private boolean takeTransfers()
    {
        if (upstream.transfer != null)
        {
            return true;
        }
        final Transfer up = transfers.acquire();
        if (up == null)
        {
            return false;
        }
        final Transfer down = transfers.acquire();
        if (down == null)
        {
            transfers.release(up);
            return false;
        }
        upstream.transfer = up;
        downstream.transfer = down;
        return true;
    }

    private void releaseTransfersIfEmpty()
    {
        if (upstream.transfer != null && upstream.transfer.pending() == 0 && downstream.transfer.pending() == 0)
        {
            transfers.release(upstream.transfer);
            transfers.release(downstream.transfer);
            upstream.transfer = null;
            downstream.transfer = null;
        }
    }

    private boolean wantsRead(final Flow flow)
    {
        return !flow.eof && !awaitingMemory && flow.pending() == 0 && !(prefixPending && flow == upstream);
    }

    private void connectNext(final long nowNs)
    {
        while (attempts < route.connectAttempts())
        {
            final int next = pickUntried();
            if (next < 0)
            {
                break;
            }
            attempts++;
            target = next;
            if (next < Long.SIZE)
            {
                triedTargets |= 1L << next;
            }
            final int opened = openBackend(route.targetAddress(next, portOffset), nowNs);
            if (opened != TARGET_FAILED)
            {
                return;
            }
        }
        counters.addListener(TcpSlots.L_REFUSED, 1);
        endReason(EndReason.NO_TARGET);
        release(true);
    }

    private int pickUntried()
    {
        final int count = route.targetCount();
        for (int i = 0; i < count; i++)
        {
            final int candidate = runtime.pick(hashKey);
            if (candidate < 0)
            {
                return -1;
            }
            // Targets past the 64th are not remembered, so they may be tried twice; pools that large are rare.
            if (candidate >= Long.SIZE || (triedTargets & (1L << candidate)) == 0)
            {
                return candidate;
            }
        }
        return -1;
    }

    private int openBackend(final InetSocketAddress address, final long nowNs)
    {
        connectStartNs = nowNs;
        SocketChannel channel = null;
        try
        {
            channel = SocketChannel.open(TcpSockets.familyOf(address));
            channel.configureBlocking(false);
            TcpSockets.configureTarget(channel, route);
            backend = channel;
            if (channel.connect(address))
            {
                backendKey = worker.register(channel, 0, this);
                onConnected(nowNs);
            }
            else
            {
                backendKey = worker.register(channel, SelectionKey.OP_CONNECT, this);
                connectTimerId = worker.scheduleTimeout(nowNs + route.connectTimeoutNs(), this);
            }
            return OPENED;
        }
        catch (final IOException ex)
        {
            TcpSockets.closeQuietly(channel, false, worker.errorHandler());
            backend = null;
            backendKey = null;
            final int local = LocalFailure.classify(ex);
            if (local != LocalFailure.NONE)
            {
                failLocally(local, ex, nowNs);
                return LOCAL_FAILED;
            }
            countConnectFailure(ex instanceof ConnectException);
            return TARGET_FAILED;
        }
    }

    private void finishConnect(final long nowNs)
    {
        final boolean connected;
        try
        {
            connected = backend.finishConnect();
        }
        catch (final IOException ex)
        {
            final int local = LocalFailure.classify(ex);
            if (local != LocalFailure.NONE)
            {
                failLocally(local, ex, nowNs);
                return;
            }
            onConnectFailed(ex instanceof ConnectException, nowNs);
            return;
        }
        if (connected)
        {
            worker.cancelTimeout(connectTimerId);
            connectTimerId = NO_TIMER;
            onConnected(nowNs);
        }
    }

    private void onConnectFailed(final boolean refused, final long nowNs)
    {
        worker.cancelTimeout(connectTimerId);
        connectTimerId = NO_TIMER;
        countConnectFailure(refused);
        TcpSockets.closeQuietly(backend, false, worker.errorHandler());
        backend = null;
        backendKey = null;
        connectNext(nowNs);
    }

    boolean isOpenTo(final int candidate)
    {
        return state == OPEN && target == candidate;
    }

    void resetBoth()
    {
        endReason(EndReason.RESET);
        release(true);
    }

    /**
     * The balancer itself failed (out of descriptors, buffers, memory or source ports): counted as its own, reported
     * once per burst, the client closed; the target is not charged, and no other target is tried, since the next
     * socket would fail alike.
     */
    private void failLocally(final int reason, final IOException ex, final long nowNs)
    {
        counters.addListener(TcpSlots.L_LOCAL + reason, 1);
        forwarder.localFailures().onFailure(reason, OPENING, ex, worker.errorHandler(), nowNs);
        release(false);
    }

    private void countConnectFailure(final boolean refused)
    {
        runtime.failed(target);
        counters.addListener(TcpSlots.L_CONNECT_FAILURES, 1);
        counters.addTarget(target, TcpSlots.T_CONNECT_FAILURES, 1);
        if (refused)
        {
            counters.addTarget(target, TcpSlots.T_REFUSED, 1);
        }
    }

    private void onConnected(final long nowNs)
    {
        runtime.connectLatency().recordValue(Math.max(0, nowNs - connectStartNs));
        state = OPEN;
        connectedNs = nowNs;
        firstBytePending = route.firstByteLatency();
        requestSent = false;
        counters.addTarget(target, TcpSlots.T_ACTIVE, 1);
        counters.addTarget(target, TcpSlots.T_TOTAL, 1);
        runtime.opened(target);
        final int clientFd = forwarder.usesSplice() ? NativeFd.of(client) : -1;
        final int backendFd = forwarder.usesSplice() ? NativeFd.of(backend) : -1;
        upstream.connect(client, clientFd, backend, backendFd);
        downstream.connect(backend, backendFd, client, clientFd);
        lastActivityNs = nowNs;
        idleTimerId = worker.scheduleTimeout(nowNs + route.idleTimeoutNs(), this);
        clientInterest = SelectionKey.OP_READ;
        clientKey.interestOps(clientInterest);
        backendInterest = SelectionKey.OP_READ;
        backendKey.interestOps(backendInterest);
        if (prefixPending)
        {
            writePrefix();
            if (state == OPEN)
            {
                updateInterest();
            }
        }
    }

    private void pump(final Flow flow, final long nowNs)
    {
        if (!wantsRead(flow))
        {
            return;
        }
        if (!takeTransfers())
        {
            awaitingMemory = true;
            forwarder.awaitMemory(this);
            return;
        }
        final int read = flow.transfer.readFrom(flow.source, flow.sourceFd);
        if (read == Transfer.RESET)
        {
            reset();
            return;
        }
        if (read == Transfer.EOF)
        {
            flow.eof = true;
            endReason(flow == upstream ? EndReason.CLIENT_CLOSE : EndReason.TARGET_CLOSE);
        }
        else if (read > 0)
        {
            lastActivityNs = nowNs;
        }
        flush(flow, nowNs);
    }

    private void onWritable(final Flow flow, final long nowNs)
    {
        flush(flow, nowNs);
        if (state == OPEN && wantsRead(flow))
        {
            // The destination drained: read the source now rather than a duty cycle later.
            pump(flow, nowNs);
        }
    }

    private void flush(final Flow flow, final long nowNs)
    {
        final Transfer transfer = flow.transfer;
        if (transfer != null && transfer.pending() > 0)
        {
            final int written = transfer.writeTo(flow.destination, flow.destinationFd);
            if (written == Transfer.RESET)
            {
                reset();
                return;
            }
            if (written > 0)
            {
                lastActivityNs = nowNs;
                countBytes(flow, written);
                if (firstBytePending)
                {
                    timeFirstByte(flow, nowNs);
                }
            }
        }
        if (flow.eof && flow.pending() == 0 && !flow.shutdown)
        {
            flow.shutdown = true;
            if ((flow == upstream ? downstream : upstream).shutdown)
            {
                // Both ends said all they had to say: closing sends this last FIN (the JDK shuts down the output
                // of a socket that is still registered as it closes it), so a shutdown of our own would be one
                // syscall more per connection.
                release(false);
                return;
            }
            try
            {
                flow.destination.shutdownOutput();
            }
            catch (final IOException ex)
            {
                reset();
            }
        }
    }

    /**
     * First-byte time: from the client's first bytes reaching the target (or, when the target speaks first, from the
     * connect) to the target's first bytes reaching the client.
     */
    private void timeFirstByte(final Flow flow, final long nowNs)
    {
        if (flow == upstream)
        {
            if (!requestSent)
            {
                requestSent = true;
                requestSentNs = nowNs;
            }
        }
        else
        {
            firstBytePending = false;
            final long elapsed = nowNs - (requestSent ? requestSentNs : connectedNs);
            runtime.firstByteLatency().recordValue(Math.clamp(elapsed, 0, TcpRouteRuntime.LATENCY_MAX_NS));
        }
    }

    private void countBytes(final Flow flow, final int bytes)
    {
        if (flow == upstream)
        {
            bytesIn += bytes;
            counters.addListener(TcpSlots.L_BYTES_IN, bytes);
            counters.addTarget(target, TcpSlots.T_BYTES_IN, bytes);
        }
        else
        {
            bytesOut += bytes;
            counters.addListener(TcpSlots.L_BYTES_OUT, bytes);
            counters.addTarget(target, TcpSlots.T_BYTES_OUT, bytes);
        }
    }

    private void updateInterest()
    {
        final int wantClient = (wantsRead(upstream) ? SelectionKey.OP_READ : 0) |
            (downstream.pending() > 0 ? SelectionKey.OP_WRITE : 0);
        final int wantBackend = (wantsRead(downstream) ? SelectionKey.OP_READ : 0) |
            (upstream.pending() > 0 || prefixPending ? SelectionKey.OP_WRITE : 0);
        if (wantClient != clientInterest)
        {
            clientInterest = wantClient;
            clientKey.interestOps(wantClient);
        }
        if (wantBackend != backendInterest)
        {
            backendInterest = wantBackend;
            backendKey.interestOps(wantBackend);
        }
    }

    /** One side failed or reset: reset the other too, so neither peer mistakes it for a clean end. */
    private void reset()
    {
        counters.addListener(TcpSlots.L_RESETS, 1);
        endReason(EndReason.RESET);
        release(true);
    }

    private void release(final boolean reset)
    {
        if (state == FREE)
        {
            return;
        }
        final boolean wasOpen = state == OPEN;
        state = FREE;
        worker.cancelTimeout(connectTimerId);
        worker.cancelTimeout(idleTimerId);
        worker.cancelTimeout(headerTimerId);
        connectTimerId = NO_TIMER;
        idleTimerId = NO_TIMER;
        headerTimerId = NO_TIMER;
        prefixPending = false;
        leftover = false;
        releaseTransfer(upstream);
        releaseTransfer(downstream);
        final ErrorHandler errors = worker.errorHandler();
        TcpSockets.closeQuietly(client, reset, errors);
        TcpSockets.closeQuietly(backend, reset, errors);
        client = null;
        backend = null;
        clientKey = null;
        backendKey = null;
        if (wasOpen)
        {
            counters.addTarget(target, TcpSlots.T_ACTIVE, -1);
            runtime.closed(target);
        }
        final long nowNs = worker.nowNs();
        if (sourceTable != null)
        {
            sourceTable.release(sourceHandle, nowNs);
            sourceTable = null;
        }
        final AccessLogQueue log = runtime.accessLog();
        if (log != null)
        {
            logAccess(log, wasOpen, nowNs);
        }
        forwarder.onReleased(this);
    }

    private void logAccess(final AccessLogQueue log, final boolean wasOpen, final long nowNs)
    {
        final AccessRecord record = log.claim();
        if (record == null)
        {
            counters.addListener(TcpSlots.L_ACCESS_LOG_DROPPED, 1);
            return;
        }
        record.protocol(AccessRecord.TCP).endEpochMillis(System.currentTimeMillis()).generation(runtime.generation())
            .listener(route.index()).target(wasOpen ? target : AccessRecord.NO_TARGET)
            .client(clientHigh, clientLow, clientPort).bytes(bytesIn, bytesOut).datagrams(0, 0)
            .connectNs(wasOpen ? Math.max(0, connectedNs - connectStartNs) : AccessRecord.NOT_CONNECTED)
            .durationNs(Math.max(0, nowNs - acceptedNs)).endReason(endReason < 0 ? EndReason.CLIENT_CLOSE : endReason);
        log.commit(record);
    }

    private void releaseTransfer(final Flow flow)
    {
        if (flow.transfer != null)
        {
            transfers.release(flow.transfer);
        }
        flow.clear();
    }
}
