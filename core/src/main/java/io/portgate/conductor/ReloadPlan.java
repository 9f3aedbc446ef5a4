package io.portgate.conductor;

import io.portgate.config.ListenerConfig;
import io.portgate.config.PortgateConfig;
import io.portgate.config.Protocol;
import io.portgate.loop.Route;
import io.portgate.tcp.TcpRoute;
import io.portgate.udp.UdpRoute;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What a reload does, worked out before anything is touched: from what runs now ({@link Layout}) and the new
 * configuration, the routes of each transport (listeners kept, added, and removed ones left draining, with their
 * targets kept, added and retired), where each listener's socket on each port comes from (kept, taken over from a
 * removed listener bound the same, or opened), and which listeners' ports must be probed for other holders. Pure:
 * no socket, no thread, no clock, so a test drives it with tables. A start is the reload of nothing
 * ({@link Layout#EMPTY}).
 *
 * @param config the configuration the plan runs.
 * @param tcp    the TCP routes after the reload.
 * @param udp    the UDP routes after the reload.
 * @param fresh  the listeners whose ports are bound anew, to probe for other processes first.
 * @param before what ran.
 *
 * <p>A listener is the same listener when its name, protocol and bind are unchanged, or failing that its protocol
 * and bind (a renamed listener keeps its sockets and connections). A target is the same target when its pool,
 * address and ports are unchanged (see {@link io.portgate.loop.RouteTargets#reloaded}).
 */
public record ReloadPlan(PortgateConfig config, Transport<TcpRoute> tcp, Transport<UdpRoute> udp,
    List<ListenerConfig> fresh, Layout before)
{
    /** Where one port's socket of a listener comes from. */
    public enum From
    {
        /** Bound now. */
        OPEN,
        /** The socket the listener had (or, for a removed UDP listener, still replies through). */
        KEEP,
        /** The socket of a listener the reload removes that was bound to the same address and port. */
        TAKE_OVER,
        /** None: a removed TCP listener accepts nothing, a removed UDP listener's socket moved on. */
        NONE
    }

    /**
     * One port's socket.
     *
     * @param from     where it comes from.
     * @param oldRoute for {@code KEEP} and {@code TAKE_OVER}, the listener's index before.
     * @param oldPort  for {@code KEEP} and {@code TAKE_OVER}, the port's offset in that listener's range.
     * @param address  the address and port it is bound to.
     */
    public record Port(From from, int oldRoute, int oldPort, InetSocketAddress address)
    {
    }

    /**
     * One listener of one transport after the reload.
     *
     * @param route       the route, under its new index.
     * @param previous    its index before, or -1 for a new listener.
     * @param was         its route before, or null for a new listener.
     * @param ports       its sockets by port offset; empty for a removed TCP listener.
     * @param relisten    a kept TCP listener whose backlog changed: listen(2) again on its sockets.
     * @param reconfigure a kept UDP listener: its socket buffers are set again.
     * @param <R>         the kind of route.
     */
    public record Listener<R extends Route>(R route, int previous, R was, List<Port> ports, boolean relisten,
        boolean reconfigure)
    {
    }

    /**
     * One transport's routes after the reload.
     *
     * @param listeners  the listeners now, by new index: the configuration's, then removed ones still draining.
     * @param routeMap   by index before, the index now or -1 when it is gone.
     * @param targetMaps by index before and target id before, the target id now or -1 when it is gone.
     * @param <R>        the kind of route.
     */
    public record Transport<R extends Route>(List<Listener<R>> listeners, int[] routeMap, int[][] targetMaps)
    {
        /** @return the routes now, by index. */
        public List<R> routes()
        {
            return listeners.stream().map(Listener::route).toList();
        }
    }

    /**
     * What runs now, as much as a plan needs.
     *
     * @param tcp     the TCP routes by index.
     * @param udp     the UDP routes by index.
     * @param udpOpen by UDP route and port offset, whether its socket is open (a removed listener's closes at its
     *                deadline, or moves on to a listener bound the same).
     */
    public record Layout(List<TcpRoute> tcp, List<UdpRoute> udp, boolean[][] udpOpen)
    {
        /** Nothing runs: a start. */
        public static final Layout EMPTY = new Layout(List.of(), List.of(), new boolean[0][]);
    }

    /**
     * Plans a reload.
     *
     * @param running    what runs now.
     * @param next       the validated configuration to run.
     * @param nowNs      now, on the workers' clock: drains that have run out are dropped.
     * @param deadlineNs until when what the reload removes may drain.
     * @return the plan.
     */
    public static ReloadPlan of(final Layout running, final PortgateConfig next, final long nowNs,
        final long deadlineNs)
    {
        final List<ListenerConfig> fresh = new ArrayList<>();
        final Transport<TcpRoute> tcp = new Planner<>(running.tcp(), null, next, Protocol.TCP, nowNs, deadlineNs,
            fresh, (i, listener, was) -> was == null ? TcpRoute.of(i, listener, next.poolOf(listener)) :
            TcpRoute.reloaded(i, listener, next.poolOf(listener), was, nowNs, deadlineNs)).plan();
        final Transport<UdpRoute> udp = new Planner<>(running.udp(), running.udpOpen(), next, Protocol.UDP, nowNs,
            deadlineNs, fresh, (i, listener, was) -> was == null ? UdpRoute.of(i, listener, next.poolOf(listener)) :
            UdpRoute.reloaded(i, listener, next.poolOf(listener), was, nowNs, deadlineNs)).plan();
        return new ReloadPlan(next, tcp, udp, List.copyOf(fresh), running);
    }

    /**
     * Whether this balancer already holds a socket of a protocol on a port, on any address: such a port found taken
     * may be its own doing (a listener that moves between addresses of one port, say), not another process's.
     *
     * @param protocol tcp or udp.
     * @param port     the port.
     * @return true when it does.
     */
    public boolean holdsNow(final Protocol protocol, final int port)
    {
        if (protocol == Protocol.TCP)
        {
            return before.tcp().stream().anyMatch(r -> !r.draining() && r.listener().bind().ports().contains(port));
        }
        for (int r = 0; r < before.udp().size(); r++)
        {
            final io.portgate.config.PortRange ports = before.udp().get(r).listener().bind().ports();
            final int offset = port - ports.first();
            if (ports.contains(port) && offset < before.udpOpen()[r].length && before.udpOpen()[r][offset])
            {
                return true;
            }
        }
        return false;
    }

    /** Makes a listener's route, under its new index: resolved anew, or again from the route it had. */
    @FunctionalInterface
    private interface Resolver<R extends Route>
    {
        R resolve(int index, ListenerConfig listener, R was);
    }

    /**
     * Plans one transport: matches the new listeners to the running ones, keeps or opens their sockets, and leaves
     * the removed ones draining with the sockets no new listener took.
     *
     * @param <R> the kind of route.
     */
    private static final class Planner<R extends Route>
    {
        private final List<R> before;
        private final boolean[][] open;
        private final List<ListenerConfig> listeners;
        private final long nowNs;
        private final List<ListenerConfig> fresh;
        private final Resolver<R> resolver;
        private final long deadlineNs;
        private final int[] match;
        private final boolean[] matched;
        /** By route before and port: taken over by a new listener. */
        private final boolean[][] taken;

        Planner(final List<R> before, final boolean[][] open, final PortgateConfig next, final Protocol protocol,
            final long nowNs, final long deadlineNs, final List<ListenerConfig> fresh, final Resolver<R> resolver)
        {
            this.resolver = resolver;
            this.deadlineNs = deadlineNs;
            this.before = before;
            this.open = open;
            this.listeners = next.listeners().stream().filter(l -> l.protocol() == protocol).toList();
            this.nowNs = nowNs;
            this.fresh = fresh;
            this.match = match(listeners, before.stream().map(Route::listener).toList());
            this.matched = new boolean[before.size()];
            this.taken = new boolean[before.size()][];
            for (int r = 0; r < before.size(); r++)
            {
                taken[r] = new boolean[before.get(r).portCount()];
            }
            for (final int r : match)
            {
                if (r >= 0)
                {
                    matched[r] = true;
                }
            }
        }

        Transport<R> plan()
        {
            final List<Listener<R>> planned = new ArrayList<>();
            final int[] routeMap = new int[before.size()];
            final int[][] targetMaps = new int[before.size()][];
            Arrays.fill(routeMap, -1);
            for (int i = 0; i < listeners.size(); i++)
            {
                final ListenerConfig listener = listeners.get(i);
                final int r = match[i];
                if (r < 0)
                {
                    planned.add(new Listener<>(resolver.resolve(i, listener, null), -1, null, bind(listener), false,
                        false));
                    continue;
                }
                final R was = before.get(r);
                final R route = resolver.resolve(i, listener, was);
                routeMap[r] = i;
                targetMaps[r] = route.targets().mapFrom(was.targets());
                final boolean keeps = keepsSockets(r, was);
                final List<Port> ports = keeps ? kept(r, listener) : bind(listener);
                planned.add(new Listener<>(route, r, was, ports, keeps && open == null &&
                    was.listener().backlog() != listener.backlog(), keeps && open != null));
            }
            for (int r = 0; r < before.size(); r++)
            {
                final R was = before.get(r);
                if (routeMap[r] >= 0)
                {
                    continue;
                }
                if (was.draining() && nowNs - was.drainUntilNs() >= 0)
                {
                    targetMaps[r] = dropped(was.targetCount());
                    continue;
                }
                final int i = planned.size();
                routeMap[r] = i;
                targetMaps[r] = identity(was.targetCount());
                @SuppressWarnings("unchecked")
                final R draining = (R)was.draining(i, deadlineNs);
                planned.add(new Listener<>(draining, r, was, leftToDrain(r), false, false));
            }
            return new Transport<>(List.copyOf(planned), routeMap, targetMaps);
        }

        /** Whether a matched listener keeps its sockets: TCP unless it was draining, UDP when all are still open. */
        private boolean keepsSockets(final int r, final R was)
        {
            if (open == null)
            {
                return !was.draining();
            }
            for (final boolean socket : open[r])
            {
                if (!socket)
                {
                    // A draining listener whose sockets closed or moved on, added back: it binds again.
                    return false;
                }
            }
            return true;
        }

        private List<Port> kept(final int r, final ListenerConfig listener)
        {
            final List<Port> ports = new ArrayList<>();
            for (int p = 0; p < listener.bind().ports().size(); p++)
            {
                ports.add(new Port(From.KEEP, r, p, listener.bind().socketAddress(p)));
            }
            return ports;
        }

        /** A listener's sockets bound anew: taken over where a removed listener had the address and port. */
        private List<Port> bind(final ListenerConfig listener)
        {
            fresh.add(listener);
            final List<Port> ports = new ArrayList<>();
            for (int p = 0; p < listener.bind().ports().size(); p++)
            {
                final InetSocketAddress address = listener.bind().socketAddress(p);
                ports.add(spare(address));
            }
            return ports;
        }

        private Port spare(final InetSocketAddress address)
        {
            for (int r = 0; r < before.size(); r++)
            {
                final Route was = before.get(r);
                if (matched[r] || !was.listener().bind().address().equals(address.getAddress()))
                {
                    continue;
                }
                // A draining TCP listener has no sockets left; a draining UDP one may.
                final int p = address.getPort() - was.listener().bind().ports().first();
                final boolean hasSocket = open == null ? !was.draining() : p >= 0 && p < open[r].length && open[r][p];
                if (p >= 0 && p < taken[r].length && hasSocket && !taken[r][p])
                {
                    taken[r][p] = true;
                    return new Port(From.TAKE_OVER, r, p, address);
                }
            }
            return new Port(From.OPEN, -1, -1, address);
        }

        /** A removed listener's sockets while it drains: a UDP listener's flows still reply through its own. */
        private List<Port> leftToDrain(final int r)
        {
            if (open == null)
            {
                return List.of();
            }
            final Route was = before.get(r);
            final List<Port> ports = new ArrayList<>();
            for (int p = 0; p < was.portCount(); p++)
            {
                ports.add(new Port(taken[r][p] || !open[r][p] ? From.NONE : From.KEEP, r, p,
                    was.listener().bind().socketAddress(p)));
            }
            return ports;
        }
    }

    /**
     * Matches a reload's listeners to the running ones: by name with the same protocol and bind first, then by
     * protocol and bind alone (a renamed listener keeps its sockets).
     *
     * @param listeners the new listeners of one protocol.
     * @param before    the running listeners of that protocol.
     * @return by new listener, the index of the running one it continues, or -1.
     */
    static int[] match(final List<ListenerConfig> listeners, final List<ListenerConfig> before)
    {
        final int[] match = new int[listeners.size()];
        Arrays.fill(match, -1);
        final boolean[] taken = new boolean[before.size()];
        for (int i = 0; i < listeners.size(); i++)
        {
            for (int r = 0; r < before.size(); r++)
            {
                if (!taken[r] && before.get(r).name().equals(listeners.get(i).name()) &&
                    sameBind(before.get(r), listeners.get(i)))
                {
                    match[i] = r;
                    taken[r] = true;
                    break;
                }
            }
        }
        for (int i = 0; i < listeners.size(); i++)
        {
            for (int r = 0; r < before.size() && match[i] < 0; r++)
            {
                if (!taken[r] && sameBind(before.get(r), listeners.get(i)))
                {
                    match[i] = r;
                    taken[r] = true;
                }
            }
        }
        return match;
    }

    private static boolean sameBind(final ListenerConfig a, final ListenerConfig b)
    {
        return a.protocol() == b.protocol() && a.bind().address().equals(b.bind().address()) &&
            a.bind().ports().equals(b.bind().ports());
    }

    private static int[] identity(final int n)
    {
        final int[] map = new int[n];
        for (int i = 0; i < n; i++)
        {
            map[i] = i;
        }
        return map;
    }

    private static int[] dropped(final int n)
    {
        final int[] map = new int[n];
        Arrays.fill(map, -1);
        return map;
    }
}
