package io.portgate.udp;

import io.portgate.access.AccessLogQueue;
import io.portgate.access.AccessRecord;
import io.portgate.access.AccessRules;
import io.portgate.access.EndReason;
import io.portgate.access.SourceLimits;
import io.portgate.loop.RouteAccess;
import io.portgate.net.Ip;

import io.portgate.balance.BalancerPolicy;
import io.portgate.ffm.NativeFd;
import io.portgate.loop.IntrusiveList;
import io.portgate.loop.LocalFailure;
import io.portgate.loop.RouteTargets;
import io.portgate.loop.TimeoutHandler;
import io.portgate.metrics.RouteCounters;
import org.agrona.DeadlineTimerWheel;
import org.agrona.ErrorHandler;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;

/**
 * One UDP listener's flows on one worker: admits them into its {@link FlowTable}, picks their targets by its
 * {@link UdpRouteRuntime}, opens and closes their sockets to the targets, and expires them. Worker thread only.
 *
 * <p>One timer per listener expires idle flows from the longest idle on, and when the table is full the longest idle
 * flow is evicted to make room, so a full table never refuses a client.
 *
 * <p>Flow objects and their backend handlers are pooled; the backend's kernel socket is not. A socket reused for a
 * new client would reach the target from the same address and port as the old one, so the target would take the new
 * client for the old (a DTLS or QUIC server would mix up their sessions) and a late reply to the old client would go
 * to the new one. A fresh socket per flow costs a few allocations per flow, none per datagram.
 */
final class UdpFlows implements TimeoutHandler
{
    private static final long GOLDEN_GAMMA = 0x9E37_79B9_7F4A_7C15L;
    private static final long NO_TIMER = DeadlineTimerWheel.NULL_DEADLINE;
    private static final long NO_QUIET_LIMIT = Long.MAX_VALUE;
    private static final String OPENING = "opening a flow's socket to a target";

    private final UdpForwarder forwarder;
    private UdpRouteRuntime runtime;
    private UdpRoute route;
    private RouteCounters counters;
    private final FlowTable table = new FlowTable();
    private long sweepTimerId = NO_TIMER;
    private boolean accepting = true;
    /** Once the balancer stops: how long a flow may be quiet before it is done; until then, NO_QUIET_LIMIT. */
    private long stopQuietNs = NO_QUIET_LIMIT;
    /** What {@link #mayOpen} admitted a source with, for the flow about to be made. */
    private SourceLimits pendingTable;
    private long pendingHandle;

    UdpFlows(final UdpForwarder forwarder, final UdpRouteRuntime runtime)
    {
        this.forwarder = forwarder;
        use(runtime);
    }

    private void use(final UdpRouteRuntime next)
    {
        runtime = next;
        route = next.route();
        counters = next.counters();
    }

    UdpRouteRuntime runtime()
    {
        return runtime;
    }

    UdpRoute route()
    {
        return route;
    }

    /**
     * Switches to a reload's runtime: flows whose target remains keep it under its new id, flows on a target gone for
     * good re-pick on their next datagram. Worker thread only.
     *
     * @param next      the listener now.
     * @param targetMap by target id before, the id now or -1.
     * @param admitting whether new clients are admitted.
     */
    void remap(final UdpRouteRuntime next, final int[] targetMap, final boolean admitting)
    {
        for (IntrusiveList.Link<UdpFlow> link = table.head(); link != null; link = link.next())
        {
            final UdpFlow flow = link.element();
            for (final UdpBackend backend : flow.backends)
            {
                if (backend != null && targetMap[backend.target] < 0)
                {
                    forget(flow, backend);
                }
            }
        }
        final RouteCounters nextCounters = next.counters();
        for (IntrusiveList.Link<UdpFlow> link = table.head(); link != null; link = link.next())
        {
            final UdpFlow flow = link.element();
            // Gauges move with the flow: a no-op where the labels did not change (both name the same cell), a move
            // where a listener or pool was renamed.
            counters.addListener(UdpSlots.L_FLOWS_ACTIVE, -1);
            nextCounters.addListener(UdpSlots.L_FLOWS_ACTIVE, 1);
            final UdpBackend[] backends = new UdpBackend[next.route().targetCount()];
            for (final UdpBackend backend : flow.backends)
            {
                if (backend != null && targetMap[backend.target] >= 0)
                {
                    final int before = backend.target;
                    backend.target = targetMap[before];
                    backends[backend.target] = backend;
                    if (backend.isOpen())
                    {
                        next.opened(backend.target);
                        counters.addTarget(before, UdpSlots.T_FLOWS_ACTIVE, -1);
                        nextCounters.addTarget(backend.target, UdpSlots.T_FLOWS_ACTIVE, 1);
                    }
                }
            }
            flow.backends = backends;
            flow.target = flow.target == BalancerPolicy.NO_TARGET ? BalancerPolicy.NO_TARGET : targetMap[flow.target];
            flow.failedTargets = 0;
        }
        // Pooled flows hold handler arrays sized for the old targets.
        table.forgetPooled();
        use(next);
        accepting = admitting;
    }

    /**
     * Drops the flows on retired targets whose drain deadline has passed: they re-pick on their next datagram.
     * Worker thread only.
     *
     * @param nowNs now.
     */
    void dropExpiredTargets(final long nowNs)
    {
        final RouteTargets targets = route.targets();
        for (int t = targets.liveCount(); t < targets.count(); t++)
        {
            if (nowNs - targets.retiredUntilNs(t) >= 0)
            {
                dropTarget(t);
            }
        }
    }

    DatagramPath path()
    {
        return forwarder.path();
    }

    ErrorHandler errorHandler()
    {
        return forwarder.worker().errorHandler();
    }

    int count()
    {
        return table.size();
    }

    void stopAccepting()
    {
        accepting = false;
    }

    /**
     * The balancer stops: no new clients, and a flow quiet for {@code quietNs} (or its idle timeout, if shorter) is
     * done. A UDP flow has no close, so going quiet is how it ends; flows still exchanging datagrams carry on until
     * they go quiet or the drain ends. Worker thread only.
     *
     * @param quietNs how long a flow may go without a datagram.
     * @param nowNs   now.
     */
    void stopForShutdown(final long quietNs, final long nowNs)
    {
        accepting = false;
        stopQuietNs = quietNs;
        forwarder.worker().cancelTimeout(sweepTimerId);
        sweepTimerId = NO_TIMER;
        final UdpFlow oldest = table.oldest();
        if (oldest != null)
        {
            armSweep(oldest.lastActivityNs + idleLimitNs(), nowNs);
        }
    }

    /** How long a flow may be quiet before it expires: the idle timeout, or less once the balancer stops. */
    private long idleLimitNs()
    {
        return Math.min(route.idleTimeoutNs(), stopQuietNs);
    }

    private void armSweep(final long deadlineNs, final long nowNs)
    {
        // A deadline already passed fires on the next duty cycle.
        sweepTimerId = forwarder.worker().scheduleTimeout(Math.max(deadlineNs, nowNs), this);
    }

    // ---- finding and creating flows

    UdpFlow find4(final int portOffset, final int address, final int port)
    {
        return table.find4(portOffset, address, port);
    }

    UdpFlow find6(final int portOffset, final long high, final long low, final int port)
    {
        return table.find6(portOffset, high, low, port);
    }

    /**
     * A new flow for an IPv4 client, evicting the longest idle one when the table is full.
     *
     * @param client the client's address when the caller has one already, else null to make one.
     * @return the flow, or null when the datagram was dropped (and counted) instead.
     */
    UdpFlow create4(final UdpListenerSocket listener, final int address, final int port,
        final InetSocketAddress client, final long nowNs)
    {
        final long mapped = Ip.mappedLow(address);
        if (!mayOpen(0, mapped, nowNs))
        {
            return null;
        }
        final UdpFlow flow = admit(listener, nowNs);
        if (flow == null)
        {
            releaseSource(pendingTable, pendingHandle, nowNs);
            return null;
        }
        adoptSource(flow, 0, mapped, nowNs);
        flow.ipv6 = false;
        flow.address4 = address;
        flow.address6High = 0;
        flow.address6Low = address & 0xFFFF_FFFFL;
        flow.port = port;
        flow.scopeId = 0;
        flow.hashKey = runtime.clientAffinity() ? flow.address6Low : (flow.address6Low << 16) ^ port;
        flow.client = client != null ? client : socketAddress4(address, port);
        table.add(flow);
        return flow;
    }

    /**
     * A new flow for an IPv6 client, evicting the longest idle one when the table is full.
     *
     * @param client the client's address when the caller has one already, else null to make one.
     * @return the flow, or null when the datagram was dropped (and counted) instead.
     */
    UdpFlow create6(final UdpListenerSocket listener, final long high, final long low, final int port,
        final int scopeId, final InetSocketAddress client, final long nowNs)
    {
        if (!mayOpen(high, low, nowNs))
        {
            return null;
        }
        final UdpFlow flow = admit(listener, nowNs);
        if (flow == null)
        {
            releaseSource(pendingTable, pendingHandle, nowNs);
            return null;
        }
        adoptSource(flow, high, low, nowNs);
        flow.ipv6 = true;
        flow.address4 = 0;
        flow.address6High = high;
        flow.address6Low = low;
        flow.port = port;
        flow.scopeId = scopeId;
        final long ipHash = high * 31 + low;
        flow.hashKey = runtime.clientAffinity() ? ipHash : (ipHash << 16) ^ port;
        flow.client = client != null ? client : socketAddress6(high, low, port, scopeId);
        table.add(flow);
        return flow;
    }

    /**
     * Whether a new flow from a source may open: its access rules, its rate (the first datagram) and its flow count.
     * A refusal is counted and the datagram dropped; an admission leaves the source's handle in {@link #pendingTable}
     * and {@link #pendingHandle}.
     */
    private boolean mayOpen(final long high, final long low, final long nowNs)
    {
        pendingTable = null;
        if (!accepting)
        {
            return true;
        }
        final RouteAccess access = route.access();
        if (access.restricts() && !allowed(access, high, low))
        {
            return false;
        }
        final SourceLimits table = runtime.sourceLimits();
        if (table != null)
        {
            if (table.charge(high, low, nowNs) != SourceLimits.ADMITTED)
            {
                counters.addListener(UdpSlots.refused(RouteAccess.RATE_LIMIT), 1);
                return false;
            }
            final long handle = table.acquire(high, low, nowNs);
            if (handle < 0)
            {
                counters.addListener(UdpSlots.refused(RouteAccess.CONCURRENCY_LIMIT), 1);
                return false;
            }
            pendingTable = table;
            pendingHandle = handle;
        }
        return true;
    }

    private boolean allowed(final RouteAccess access, final long high, final long low)
    {
        final int verdict = access.rules().check(high, low);
        if (verdict == AccessRules.ALLOWED)
        {
            return true;
        }
        counters.addListener(UdpSlots.refused(verdict == AccessRules.DENIED ? RouteAccess.DENIED :
            RouteAccess.NOT_ALLOWED), 1);
        return false;
    }

    private void adoptSource(final UdpFlow flow, final long high, final long low, final long nowNs)
    {
        flow.clientHigh = high;
        flow.clientLow = low;
        flow.sourceTable = pendingTable;
        flow.sourceHandle = pendingHandle;
        pendingTable = null;
        flow.fresh = true;
        flow.createdNs = nowNs;
        flow.datagramsIn = 0;
        flow.bytesIn = 0;
        flow.datagramsOut = 0;
        flow.bytesOut = 0;
        if (route.access().sendProxy() != 0)
        {
            localOf(flow);
        }
    }

    /** The listener's own address, for the PROXY header of the flow's datagrams; read once per flow. */
    private void localOf(final UdpFlow flow)
    {
        try
        {
            final InetSocketAddress local = (InetSocketAddress)flow.listener.channel.getLocalAddress();
            flow.localHigh = Ip.high(local.getAddress());
            flow.localLow = Ip.low(local.getAddress());
            flow.localPort = local.getPort();
        }
        catch (final IOException ex)
        {
            errorHandler().onError(ex);
        }
    }

    private static void releaseSource(final SourceLimits table, final long handle, final long nowNs)
    {
        if (table != null)
        {
            table.release(handle, nowNs);
        }
    }

    /**
     * Checks a datagram of an existing flow: the rules (a reload may have changed them) and the source's rate. The
     * first datagram was checked when the flow opened.
     *
     * @return true when it may pass; a refusal is counted.
     */
    boolean admitsDatagram(final UdpFlow flow, final long nowNs)
    {
        if (flow.fresh)
        {
            flow.fresh = false;
            return true;
        }
        final RouteAccess access = route.access();
        if (access.restricts() && !allowed(access, flow.clientHigh, flow.clientLow))
        {
            return false;
        }
        final SourceLimits table = access.limits() == null ? null : runtime.sourceLimits();
        if (table != null && table.charge(flow.clientHigh, flow.clientLow, nowNs) != SourceLimits.ADMITTED)
        {
            counters.addListener(UdpSlots.refused(RouteAccess.RATE_LIMIT), 1);
            return false;
        }
        return true;
    }

    private UdpFlow admit(final UdpListenerSocket listener, final long nowNs)
    {
        if (!accepting)
        {
            counters.addListener(UdpSlots.L_DROP_DRAINING, 1);
            return null;
        }
        if (table.size() >= route.maxFlows())
        {
            counters.addListener(UdpSlots.L_FLOWS_EVICTED, 1);
            release(table.oldest(), EndReason.EVICTED, nowNs);
        }
        UdpFlow flow = table.reuse();
        if (flow == null)
        {
            flow = new UdpFlow(this, route.targetCount());
        }
        flow.listener = listener;
        flow.portOffset = listener.portOffset;
        flow.arrivalFamily = 0;
        flow.target = BalancerPolicy.NO_TARGET;
        flow.failedTargets = 0;
        flow.picks = 0;
        flow.lastActivityNs = nowNs;
        counters.addListener(UdpSlots.L_FLOWS_ACTIVE, 1);
        counters.addListener(UdpSlots.L_FLOWS_TOTAL, 1);
        if (sweepTimerId == NO_TIMER)
        {
            armSweep(nowNs + idleLimitNs(), nowNs);
        }
        return flow;
    }

    private static InetSocketAddress socketAddress4(final int address, final int port)
    {
        final byte[] bytes = {(byte)(address >>> 24), (byte)(address >>> 16), (byte)(address >>> 8), (byte)address};
        try
        {
            return new InetSocketAddress(InetAddress.getByAddress(bytes), port);
        }
        catch (final UnknownHostException ex)
        {
            throw new IllegalStateException("four bytes are always an IPv4 address", ex);
        }
    }

    private static InetSocketAddress socketAddress6(final long high, final long low, final int port,
        final int scopeId)
    {
        final byte[] bytes = new byte[16];
        for (int i = 0; i < 8; i++)
        {
            bytes[i] = (byte)(high >>> (56 - 8 * i));
            bytes[8 + i] = (byte)(low >>> (56 - 8 * i));
        }
        try
        {
            return new InetSocketAddress(java.net.Inet6Address.getByAddress(null, bytes, scopeId), port);
        }
        catch (final UnknownHostException ex)
        {
            throw new IllegalStateException("sixteen bytes are always an IPv6 address", ex);
        }
    }

    // ---- targets and backend sockets

    /**
     * The socket a client datagram of this flow goes out on: the flow's target, picked now when it has none (or
     * for every datagram with packet affinity), its socket opened on first use.
     *
     * @return the socket, or null when the datagram was dropped (and counted) instead.
     */
    UdpBackend backendFor(final UdpFlow flow, final long nowNs)
    {
        if (!admitsDatagram(flow, nowNs))
        {
            return null;
        }
        int target = flow.target;
        if (runtime.packetAffinity())
        {
            target = pick(flow, flow.hashKey + ++flow.picks * GOLDEN_GAMMA);
        }
        else if (target == BalancerPolicy.NO_TARGET)
        {
            target = pick(flow, flow.hashKey);
            flow.target = target;
        }
        if (target == BalancerPolicy.NO_TARGET)
        {
            counters.addListener(UdpSlots.L_DROP_NO_TARGET, 1);
            return null;
        }
        UdpBackend backend = flow.backends[target];
        if (backend == null)
        {
            backend = new UdpBackend(flow, target);
            flow.backends[target] = backend;
        }
        if (!backend.isOpen() && !open(backend))
        {
            counters.addListener(UdpSlots.L_DROP_ERROR, 1);
            flow.target = BalancerPolicy.NO_TARGET;
            return null;
        }
        return backend;
    }

    /**
     * Picks a target the flow has not seen fail. Hashing policies answer the same key with the same target, so each
     * retry perturbs the key (the same way for every flow of a client, which keeps client affinity); policies that
     * count connections may keep naming the failed target, so after as many tries as targets the next one in order
     * that has not failed is taken. When every target has failed for this flow, the failures are forgotten: one may
     * be back.
     */
    private int pick(final UdpFlow flow, final long hashKey)
    {
        final int targets = route.targets().liveCount();
        int last = BalancerPolicy.NO_TARGET;
        for (int attempt = 0; attempt <= targets; attempt++)
        {
            final int target = runtime.pick(hashKey + attempt * GOLDEN_GAMMA);
            if (target == BalancerPolicy.NO_TARGET || !flow.hasFailed(target))
            {
                return target;
            }
            last = target;
        }
        for (int i = 1; i <= targets; i++)
        {
            final int target = (last + i) % targets;
            if (!flow.hasFailed(target))
            {
                return target;
            }
        }
        flow.failedTargets = 0;
        return runtime.pick(hashKey);
    }

    private boolean open(final UdpBackend backend)
    {
        final InetSocketAddress address = route.targetAddress(backend.target, backend.flow.portOffset);
        DatagramChannel channel = null;
        try
        {
            channel = DatagramChannel.open(UdpRoute.familyOf(address));
            channel.configureBlocking(false);
            io.portgate.conductor.ListenerSockets.setBuffers(channel, route);
            channel.connect(address);
            backend.key = forwarder.worker().register(channel, SelectionKey.OP_READ, backend);
            backend.fd = forwarder.batching() ? NativeFd.of(channel) : -1;
            path().configureBackend(backend);
            backend.channel = channel;
        }
        catch (final IOException | RuntimeException ex)
        {
            // The datagram is dropped and counted as such by the caller. Out of descriptors, buffers or memory is
            // the balancer's own failure: counted by reason and reported once per burst, never held against the
            // target; anything else is unexpected.
            closeQuietly(channel);
            backend.key = null;
            backend.fd = -1;
            final int local = LocalFailure.classify(ex);
            if (local != LocalFailure.NONE)
            {
                counters.addListener(UdpSlots.L_LOCAL + local, 1);
                forwarder.localFailures().onFailure(local, OPENING, ex, errorHandler(), forwarder.worker().nowNs());
            }
            else
            {
                errorHandler().onError(ex);
            }
            return false;
        }
        runtime.opened(backend.target);
        counters.addTarget(backend.target, UdpSlots.T_FLOWS_ACTIVE, 1);
        counters.addTarget(backend.target, UdpSlots.T_FLOWS_TOTAL, 1);
        return true;
    }

    /**
     * A target went down and its pool says {@code on-down: close}, or its drain ran out: every flow on it re-picks
     * on its next datagram, and its socket to the target is closed.
     *
     * @param target the target id.
     * @return how many flows were moved.
     */
    int dropTarget(final int target)
    {
        int moved = 0;
        for (IntrusiveList.Link<UdpFlow> link = table.head(); link != null; link = link.next())
        {
            final UdpBackend backend = link.element().backends[target];
            if (backend != null && backend.isOpen())
            {
                forget(link.element(), backend);
                moved++;
            }
        }
        return moved;
    }

    /**
     * A target answered with ICMP port unreachable: counted, its socket closed, and the flow re-picks, avoiding it,
     * on its next datagram.
     */
    void onUnreachable(final UdpBackend backend)
    {
        runtime.failed(backend.target);
        counters.addListener(UdpSlots.L_UNREACHABLE, 1);
        counters.addTarget(backend.target, UdpSlots.T_UNREACHABLE, 1);
        backend.flow.markFailed(backend.target);
        forget(backend.flow, backend);
    }

    /** A backend socket failed otherwise: reported, closed, and the flow re-picks on its next datagram. */
    void onBackendError(final UdpBackend backend, final Throwable error)
    {
        errorHandler().onError(error);
        forget(backend.flow, backend);
    }

    /** The flow leaves a target: it re-picks on its next datagram, and its socket to the target closes. */
    private void forget(final UdpFlow flow, final UdpBackend backend)
    {
        if (flow.target == backend.target)
        {
            flow.target = BalancerPolicy.NO_TARGET;
        }
        if (backend.isOpen())
        {
            closeBackend(backend);
        }
    }

    private void closeBackend(final UdpBackend backend)
    {
        if (backend.key != null)
        {
            backend.key.cancel();
        }
        closeQuietly(backend.channel);
        backend.channel = null;
        backend.key = null;
        backend.fd = -1;
        runtime.closed(backend.target);
        counters.addTarget(backend.target, UdpSlots.T_FLOWS_ACTIVE, -1);
    }

    private void closeQuietly(final DatagramChannel channel)
    {
        if (channel != null)
        {
            try
            {
                channel.close();
            }
            catch (final IOException ex)
            {
                errorHandler().onError(ex);
            }
        }
    }

    // ---- counting

    /**
     * Counts datagrams a flow forwarded, to its target ({@code toTarget}) or back to its client, and makes the flow
     * the most recently active.
     */
    void forwarded(final UdpBackend backend, final boolean toTarget, final int datagrams, final long bytes,
        final long nowNs)
    {
        // The slots of each direction are next to each other: datagrams, then bytes.
        final int listenerSlot = toTarget ? UdpSlots.L_DATAGRAMS_IN : UdpSlots.L_DATAGRAMS_OUT;
        final int targetSlot = toTarget ? UdpSlots.T_DATAGRAMS_IN : UdpSlots.T_DATAGRAMS_OUT;
        counters.addListener(listenerSlot, datagrams);
        counters.addListener(listenerSlot + 1, bytes);
        counters.addTarget(backend.target, targetSlot, datagrams);
        counters.addTarget(backend.target, targetSlot + 1, bytes);
        final UdpFlow flow = backend.flow;
        if (toTarget)
        {
            flow.datagramsIn += datagrams;
            flow.bytesIn += bytes;
        }
        else
        {
            flow.datagramsOut += datagrams;
            flow.bytesOut += bytes;
        }
        touch(flow, nowNs);
    }

    void dropped(final int slot, final int datagrams)
    {
        counters.addListener(slot, datagrams);
    }

    // ---- activity, expiry and eviction

    private void touch(final UdpFlow flow, final long nowNs)
    {
        flow.lastActivityNs = nowNs;
        if (flow.activityLink.isLinked())
        {
            table.touch(flow);
        }
    }

    @Override
    public void onTimeout(final long timerId, final long nowNs)
    {
        sweepTimerId = NO_TIMER;
        final long idleNs = idleLimitNs();
        UdpFlow oldest = table.oldest();
        while (oldest != null && nowNs - (oldest.lastActivityNs + idleNs) >= 0)
        {
            counters.addListener(UdpSlots.L_FLOWS_EXPIRED, 1);
            release(oldest, EndReason.IDLE_TIMEOUT, nowNs);
            oldest = table.oldest();
        }
        if (oldest != null)
        {
            armSweep(oldest.lastActivityNs + idleNs, nowNs);
        }
    }

    private void release(final UdpFlow flow, final int endReason, final long nowNs)
    {
        releaseSource(flow.sourceTable, flow.sourceHandle, nowNs);
        flow.sourceTable = null;
        final AccessLogQueue log = runtime.accessLog();
        if (log != null)
        {
            logAccess(log, flow, endReason, nowNs);
        }
        table.remove(flow);
        for (final UdpBackend backend : flow.backends)
        {
            if (backend != null && backend.isOpen())
            {
                closeBackend(backend);
            }
        }
        flow.client = null;
        flow.listener = null;
        counters.addListener(UdpSlots.L_FLOWS_ACTIVE, -1);
        table.recycle(flow);
    }

    private void logAccess(final AccessLogQueue log, final UdpFlow flow, final int endReason, final long nowNs)
    {
        final AccessRecord record = log.claim();
        if (record == null)
        {
            counters.addListener(UdpSlots.L_ACCESS_LOG_DROPPED, 1);
            return;
        }
        record.protocol(AccessRecord.UDP).endEpochMillis(System.currentTimeMillis()).generation(runtime.generation())
            .listener(route.index() + io.portgate.access.AccessLog.UDP_LISTENER).target(flow.target == BalancerPolicy.NO_TARGET ? AccessRecord.NO_TARGET :
                flow.target)
            .client(flow.clientHigh, flow.clientLow, flow.port).bytes(flow.bytesIn, flow.bytesOut)
            .datagrams(flow.datagramsIn, flow.datagramsOut).connectNs(AccessRecord.NOT_CONNECTED)
            .durationNs(Math.max(0, nowNs - flow.createdNs)).endReason(endReason);
        log.commit(record);
    }

    /** Closes every flow and disarms the expiry timer. */
    void closeAll()
    {
        forwarder.worker().cancelTimeout(sweepTimerId);
        sweepTimerId = NO_TIMER;
        while (table.oldest() != null)
        {
            release(table.oldest(), EndReason.SHUTDOWN, forwarder.worker().nowNs());
        }
    }
}
