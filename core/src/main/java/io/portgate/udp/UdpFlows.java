package io.portgate.udp;

import io.portgate.balance.BalancerPolicies;
import io.portgate.balance.BalancerPolicy;
import io.portgate.balance.LoadView;
import io.portgate.balance.Hashing;
import io.portgate.config.Affinity;
import io.portgate.ffm.NativeFd;
import io.portgate.loop.TimeoutHandler;
import org.agrona.DeadlineTimerWheel;
import org.agrona.ErrorHandler;
import org.agrona.collections.Long2ObjectHashMap;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.util.ArrayDeque;

/**
 * One UDP listener's flows on one worker: the flow table, the flows in order of last activity, the policy that picks
 * their targets and the counters they feed. Worker thread only.
 *
 * <p>IPv4 clients are keyed exactly by one long (address, port and the listener port's offset); IPv6 clients by a
 * hash of the same, with a chain of flows per hash compared field by field. Flows are kept in a list from the longest
 * idle to the most recently active: one timer per listener expires the idle ones from the front, and when the table is
 * full the front flow is evicted to make room, so a full table never refuses a client.
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
    private static final int INITIAL_TABLE_CAPACITY = 256;
    private static final long NO_QUIET_LIMIT = Long.MAX_VALUE;

    private final UdpForwarder forwarder;
    private UdpRoute route;
    private int routeIndex;
    private UdpCounters counters;
    private BalancerPolicy picker;
    private final LoadView loadView;
    private int[] openPerTarget;
    private boolean packetAffinity;
    private boolean clientAffinity;
    private final Long2ObjectHashMap<UdpFlow> byKey4 = new Long2ObjectHashMap<>(INITIAL_TABLE_CAPACITY, 0.65f);
    private final Long2ObjectHashMap<UdpFlow> byHash6 = new Long2ObjectHashMap<>(INITIAL_TABLE_CAPACITY, 0.65f);
    private final ArrayDeque<UdpFlow> free = new ArrayDeque<>();
    private UdpFlow oldest;
    private UdpFlow newest;
    private int count;
    private long sweepTimerId = NO_TIMER;
    private boolean accepting = true;
    /** Once the balancer stops: how long a flow may be quiet before it is done; until then, NO_QUIET_LIMIT. */
    private long stopQuietNs = NO_QUIET_LIMIT;

    UdpFlows(final UdpForwarder forwarder, final UdpRoute route, final UdpCounters counters, final long seed)
    {
        this.forwarder = forwarder;
        this.route = route;
        this.routeIndex = route.index();
        this.counters = counters;
        this.openPerTarget = new int[route.targetCount()];
        this.packetAffinity = route.affinity() == Affinity.PACKET;
        this.clientAffinity = route.affinity() == Affinity.CLIENT;
        this.loadView = target -> openPerTarget[target];
        this.picker = BalancerPolicies.create(route.pickAlgorithm(), route.targetIds(), route.weights(),
            targetKeys(route), loadView, seed);
    }

    // Maglev keys each target by its address, so a target keeps its slots when others come and go.
    private static long[] targetKeys(final UdpRoute route)
    {
        final long[] keys = new long[route.targets().liveCount()];
        for (int t = 0; t < keys.length; t++)
        {
            keys[t] = Hashing.targetKey(route.targetAddress(t, 0));
        }
        return keys;
    }

    UdpRoute route()
    {
        return route;
    }

    /**
     * Switches to a reload's route: flows whose target remains keep it under its new id, flows on a target gone for
     * good re-pick on their next datagram. Worker thread only.
     *
     * @param newRoute  the listener now.
     * @param targetMap by target id before, the id now or -1.
     * @param newCounters the worker's counters now.
     * @param policy    the policy now.
     * @param admitting whether new clients are admitted.
     */
    void update(final UdpRoute newRoute, final int[] targetMap, final UdpCounters newCounters,
        final BalancerPolicy policy, final boolean admitting)
    {
        for (UdpFlow flow = oldest; flow != null; flow = flow.newer)
        {
            for (final UdpBackend backend : flow.backends)
            {
                if (backend != null && targetMap[backend.target] < 0)
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
            }
        }
        final int[] open = new int[newRoute.targetCount()];
        final int newIndex = newRoute.index();
        for (UdpFlow flow = oldest; flow != null; flow = flow.newer)
        {
            // Gauges move with the flow: a no-op where the labels did not change (both name the same cell), a move
            // where a listener or pool was renamed.
            counters.addListener(routeIndex, UdpCounters.L_FLOWS_ACTIVE, -1);
            newCounters.addListener(newIndex, UdpCounters.L_FLOWS_ACTIVE, 1);
            final UdpBackend[] backends = new UdpBackend[newRoute.targetCount()];
            for (final UdpBackend backend : flow.backends)
            {
                if (backend != null && targetMap[backend.target] >= 0)
                {
                    final int before = backend.target;
                    backend.target = targetMap[before];
                    backends[backend.target] = backend;
                    if (backend.isOpen())
                    {
                        open[backend.target]++;
                        counters.addTarget(routeIndex, before, UdpCounters.T_FLOWS_ACTIVE, -1);
                        newCounters.addTarget(newIndex, backend.target, UdpCounters.T_FLOWS_ACTIVE, 1);
                    }
                }
            }
            flow.backends = backends;
            flow.target = flow.target == BalancerPolicy.NO_TARGET ? BalancerPolicy.NO_TARGET : targetMap[flow.target];
            flow.failedTargets = 0;
        }
        // Pooled flows hold handler arrays sized for the old targets.
        free.clear();
        openPerTarget = open;
        route = newRoute;
        routeIndex = newRoute.index();
        counters = newCounters;
        picker = policy;
        packetAffinity = newRoute.affinity() == Affinity.PACKET;
        clientAffinity = newRoute.affinity() == Affinity.CLIENT;
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
        final io.portgate.loop.RouteTargets targets = route.targets();
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
        return count;
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

    static long key4(final int address, final int port, final int portOffset)
    {
        return ((long)address << 32) | ((long)(port & 0xFFFF) << 16) | (portOffset & 0xFFFF);
    }

    static long hash6(final long high, final long low, final int port, final int portOffset)
    {
        return Hashing.mix64(high ^ Hashing.mix64(low ^ (((long)port << 16) | portOffset)));
    }

    UdpFlow find4(final int portOffset, final int address, final int port)
    {
        return byKey4.get(key4(address, port, portOffset));
    }

    UdpFlow find6(final int portOffset, final long high, final long low, final int port)
    {
        for (UdpFlow flow = byHash6.get(hash6(high, low, port, portOffset)); flow != null;
            flow = flow.nextWithSameHash)
        {
            if (flow.matches6(high, low, port, portOffset))
            {
                return flow;
            }
        }
        return null;
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
        final UdpFlow flow = admit(listener, nowNs);
        if (flow == null)
        {
            return null;
        }
        flow.ipv6 = false;
        flow.address4 = address;
        flow.address6High = 0;
        flow.address6Low = address & 0xFFFF_FFFFL;
        flow.port = port;
        flow.scopeId = 0;
        flow.key = key4(address, port, listener.portOffset);
        flow.hashKey = clientAffinity ? flow.address6Low : (flow.address6Low << 16) ^ port;
        flow.client = client != null ? client : socketAddress4(address, port);
        byKey4.put(flow.key, flow);
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
        final UdpFlow flow = admit(listener, nowNs);
        if (flow == null)
        {
            return null;
        }
        flow.ipv6 = true;
        flow.address4 = 0;
        flow.address6High = high;
        flow.address6Low = low;
        flow.port = port;
        flow.scopeId = scopeId;
        flow.key = hash6(high, low, port, listener.portOffset);
        final long ipHash = high * 31 + low;
        flow.hashKey = clientAffinity ? ipHash : (ipHash << 16) ^ port;
        flow.client = client != null ? client : socketAddress6(high, low, port, scopeId);
        flow.nextWithSameHash = byHash6.put(flow.key, flow);
        return flow;
    }

    private UdpFlow admit(final UdpListenerSocket listener, final long nowNs)
    {
        if (!accepting)
        {
            counters.addListener(routeIndex, UdpCounters.L_DROP_DRAINING, 1);
            return null;
        }
        if (count >= route.maxFlows())
        {
            counters.addListener(routeIndex, UdpCounters.L_FLOWS_EVICTED, 1);
            release(oldest);
        }
        UdpFlow flow = free.pollFirst();
        if (flow == null)
        {
            flow = new UdpFlow(this, route.targetCount());
        }
        flow.listener = listener;
        flow.arrivalFamily = 0;
        flow.target = BalancerPolicy.NO_TARGET;
        flow.failedTargets = 0;
        flow.picks = 0;
        flow.lastActivityNs = nowNs;
        flow.nextWithSameHash = null;
        flow.active = true;
        appendNewest(flow);
        count++;
        counters.addListener(routeIndex, UdpCounters.L_FLOWS_ACTIVE, 1);
        counters.addListener(routeIndex, UdpCounters.L_FLOWS_TOTAL, 1);
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
    UdpBackend backendFor(final UdpFlow flow)
    {
        int target = flow.target;
        if (packetAffinity)
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
            counters.addListener(routeIndex, UdpCounters.L_DROP_NO_TARGET, 1);
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
            counters.addListener(routeIndex, UdpCounters.L_DROP_ERROR, 1);
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
            final int target = picker.pick(hashKey + attempt * GOLDEN_GAMMA);
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
        return picker.pick(hashKey);
    }

    private boolean open(final UdpBackend backend)
    {
        final InetSocketAddress address = route.targetAddress(backend.target, backend.flow.listener.portOffset);
        DatagramChannel channel = null;
        try
        {
            channel = DatagramChannel.open(UdpRoute.familyOf(address));
            channel.configureBlocking(false);
            configure(channel, route);
            channel.connect(address);
            backend.key = channel.register(forwarder.worker().selector(), SelectionKey.OP_READ, backend);
            backend.fd = forwarder.batching() ? NativeFd.of(channel) : -1;
            path().configureBackend(backend);
            backend.channel = channel;
        }
        catch (final IOException | RuntimeException ex)
        {
            // Typically out of file descriptors; counted as a drop and reported once per kind.
            closeQuietly(channel);
            backend.key = null;
            backend.fd = -1;
            errorHandler().onError(ex);
            return false;
        }
        openPerTarget[backend.target]++;
        counters.addTarget(routeIndex, backend.target, UdpCounters.T_FLOWS_ACTIVE, 1);
        counters.addTarget(routeIndex, backend.target, UdpCounters.T_FLOWS_TOTAL, 1);
        return true;
    }

    static void configure(final DatagramChannel channel, final UdpRoute route) throws IOException
    {
        if (route.sendBuffer() > 0)
        {
            channel.setOption(StandardSocketOptions.SO_SNDBUF, route.sendBuffer());
        }
        if (route.receiveBuffer() > 0)
        {
            channel.setOption(StandardSocketOptions.SO_RCVBUF, route.receiveBuffer());
        }
    }

    /**
     * A target answered with ICMP port unreachable: counted, its socket closed, and the flow re-picks, avoiding it,
     * on its next datagram.
     */
    void setPicker(final BalancerPolicy policy)
    {
        picker = policy;
    }

    LoadView loadView()
    {
        return loadView;
    }

    /**
     * A target went down and its pool says {@code on-down: close}: every flow on it re-picks on its next datagram,
     * and its socket to the target is closed.
     *
     * @param target the target id.
     * @return how many flows were moved.
     */
    int dropTarget(final int target)
    {
        int moved = 0;
        for (UdpFlow flow = oldest; flow != null; flow = flow.newer)
        {
            final UdpBackend backend = flow.backends[target];
            if (backend != null && backend.channel != null)
            {
                if (flow.target == target)
                {
                    flow.target = BalancerPolicy.NO_TARGET;
                }
                closeBackend(backend);
                moved++;
            }
        }
        return moved;
    }

    void onUnreachable(final UdpBackend backend)
    {
        final UdpFlow flow = backend.flow;
        forwarder.failureListener().onConnectFailure(routeIndex, backend.target);
        counters.addListener(routeIndex, UdpCounters.L_UNREACHABLE, 1);
        counters.addTarget(routeIndex, backend.target, UdpCounters.T_UNREACHABLE, 1);
        flow.markFailed(backend.target);
        if (flow.target == backend.target)
        {
            flow.target = BalancerPolicy.NO_TARGET;
        }
        closeBackend(backend);
    }

    /** A backend socket failed otherwise: reported, closed, and the flow re-picks on its next datagram. */
    void onBackendError(final UdpBackend backend, final Throwable error)
    {
        errorHandler().onError(error);
        if (backend.flow.target == backend.target)
        {
            backend.flow.target = BalancerPolicy.NO_TARGET;
        }
        closeBackend(backend);
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
        openPerTarget[backend.target]--;
        counters.addTarget(routeIndex, backend.target, UdpCounters.T_FLOWS_ACTIVE, -1);
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

    void forwardedIn(final UdpBackend backend, final int datagrams, final long bytes, final long nowNs)
    {
        counters.addListener(routeIndex, UdpCounters.L_DATAGRAMS_IN, datagrams);
        counters.addListener(routeIndex, UdpCounters.L_BYTES_IN, bytes);
        counters.addTarget(routeIndex, backend.target, UdpCounters.T_DATAGRAMS_IN, datagrams);
        counters.addTarget(routeIndex, backend.target, UdpCounters.T_BYTES_IN, bytes);
        touch(backend.flow, nowNs);
    }

    void forwardedOut(final UdpBackend backend, final int datagrams, final long bytes, final long nowNs)
    {
        counters.addListener(routeIndex, UdpCounters.L_DATAGRAMS_OUT, datagrams);
        counters.addListener(routeIndex, UdpCounters.L_BYTES_OUT, bytes);
        counters.addTarget(routeIndex, backend.target, UdpCounters.T_DATAGRAMS_OUT, datagrams);
        counters.addTarget(routeIndex, backend.target, UdpCounters.T_BYTES_OUT, bytes);
        touch(backend.flow, nowNs);
    }

    void dropped(final int slot, final int datagrams)
    {
        counters.addListener(routeIndex, slot, datagrams);
    }

    // ---- activity, expiry and eviction

    private void touch(final UdpFlow flow, final long nowNs)
    {
        flow.lastActivityNs = nowNs;
        if (flow != newest && flow.active)
        {
            unlink(flow);
            appendNewest(flow);
        }
    }

    @Override
    public void onTimeout(final long timerId, final long nowNs)
    {
        sweepTimerId = NO_TIMER;
        final long idleNs = idleLimitNs();
        while (oldest != null && nowNs - (oldest.lastActivityNs + idleNs) >= 0)
        {
            counters.addListener(routeIndex, UdpCounters.L_FLOWS_EXPIRED, 1);
            release(oldest);
        }
        if (oldest != null)
        {
            armSweep(oldest.lastActivityNs + idleNs, nowNs);
        }
    }

    private void release(final UdpFlow flow)
    {
        if (!flow.ipv6)
        {
            byKey4.remove(flow.key);
        }
        else
        {
            removeFromChain(flow);
        }
        unlink(flow);
        for (final UdpBackend backend : flow.backends)
        {
            if (backend != null && backend.isOpen())
            {
                closeBackend(backend);
            }
        }
        flow.active = false;
        flow.client = null;
        flow.listener = null;
        flow.nextWithSameHash = null;
        count--;
        counters.addListener(routeIndex, UdpCounters.L_FLOWS_ACTIVE, -1);
        free.addFirst(flow);
    }

    private void removeFromChain(final UdpFlow flow)
    {
        final UdpFlow head = byHash6.get(flow.key);
        if (head == flow)
        {
            if (flow.nextWithSameHash == null)
            {
                byHash6.remove(flow.key);
            }
            else
            {
                byHash6.put(flow.key, flow.nextWithSameHash);
            }
            return;
        }
        for (UdpFlow previous = head; previous != null; previous = previous.nextWithSameHash)
        {
            if (previous.nextWithSameHash == flow)
            {
                previous.nextWithSameHash = flow.nextWithSameHash;
                return;
            }
        }
    }

    private void appendNewest(final UdpFlow flow)
    {
        flow.newer = null;
        flow.older = newest;
        if (newest != null)
        {
            newest.newer = flow;
        }
        else
        {
            oldest = flow;
        }
        newest = flow;
    }

    private void unlink(final UdpFlow flow)
    {
        if (flow.older != null)
        {
            flow.older.newer = flow.newer;
        }
        else
        {
            oldest = flow.newer;
        }
        if (flow.newer != null)
        {
            flow.newer.older = flow.older;
        }
        else
        {
            newest = flow.older;
        }
        flow.older = null;
        flow.newer = null;
    }

    /** Closes every flow and disarms the expiry timer. */
    void closeAll()
    {
        forwarder.worker().cancelTimeout(sweepTimerId);
        sweepTimerId = NO_TIMER;
        while (oldest != null)
        {
            release(oldest);
        }
    }
}
