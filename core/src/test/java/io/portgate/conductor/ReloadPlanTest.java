package io.portgate.conductor;

import io.portgate.config.ListenerConfig;
import io.portgate.config.PoolConfig;
import io.portgate.config.PortgateConfig;
import io.portgate.config.Protocol;
import io.portgate.loop.Route;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A reload planned from tables, with no thread, socket or clock: which listeners are kept, added and left draining,
 * where every socket comes from, which targets keep their id, and which ports must be probed for other holders.
 */
class ReloadPlanTest
{
    private static final long NOW = 1_000_000_000L;
    private static final long DEADLINE = NOW + 30_000_000_000L;

    /** One row: what ran, the configuration a reload brings, which UDP sockets are open, what the plan says. */
    private record Row(String what, PortgateConfig before, PortgateConfig after, boolean allOpen,
        List<String> expected, List<String> fresh)
    {
    }

    @Test
    void everyRowOfTheTablePlansAsItSays()
    {
        final PortgateConfig web = config(tcp("web", "127.0.0.1:8000"));
        final List<Row> table = List.of(
            new Row("a start opens every socket", null,
                config(tcp("web", "127.0.0.1:8000-8001"), udp("dns", "127.0.0.1:5300")), true,
                List.of("tcp web new [OPEN, OPEN]", "udp dns new [OPEN]"), List.of("web", "dns")),
            new Row("a listener that stays keeps its sockets", web, web, true,
                List.of("tcp web from 0 [KEEP 0:0]"), List.of()),
            new Row("a renamed listener keeps its sockets", web, config(tcp("www", "127.0.0.1:8000")), true,
                List.of("tcp www from 0 [KEEP 0:0]"), List.of()),
            new Row("a backlog change listens again on the kept sockets", web,
                config(ListenerConfig.builder("web").bind("127.0.0.1:8000").pool("p").backlog(77).build()), true,
                List.of("tcp web from 0 [KEEP 0:0] relisten"), List.of()),
            new Row("a removed TCP listener drains without sockets; a new one opens", web,
                config(tcp("api", "127.0.0.1:8100")), true,
                List.of("tcp api new [OPEN]", "tcp web draining from 0 []"), List.of("api")),
            new Row("a listener moving to another range takes over the port it shares", config(tcp("web",
                "127.0.0.1:8000-8001")), config(tcp("web", "127.0.0.1:8001-8002")), true,
                List.of("tcp web new [TAKE_OVER 0:1, OPEN]", "tcp web draining from 0 []"), List.of("web")),
            new Row("a UDP listener that stays keeps its sockets and sets their buffers again",
                config(udp("dns", "127.0.0.1:5300")), config(udp("dns", "127.0.0.1:5300")), true,
                List.of("udp dns from 0 [KEEP 0:0] reconfigure"), List.of()),
            new Row("a removed UDP listener keeps replying through its socket until another takes it",
                config(udp("dns", "127.0.0.1:5300-5301")), config(udp("dns2", "127.0.0.2:5300"),
                udp("other", "127.0.0.1:5301")), true,
                List.of("udp dns2 new [OPEN]", "udp other new [TAKE_OVER 0:1]",
                    "udp dns draining from 0 [KEEP 0:0, NONE 0:1]"), List.of("dns2", "other")),
            new Row("a UDP listener whose sockets closed binds again", config(udp("dns", "127.0.0.1:5300")),
                config(udp("dns", "127.0.0.1:5300")), false,
                List.of("udp dns from 0 [OPEN]"), List.of("dns")));
        for (final Row row : table)
        {
            final ReloadPlan plan = ReloadPlan.of(running(row.before(), row.allOpen()), row.after(), NOW, DEADLINE);
            assertEquals(row.expected(), describe(plan), row.what());
            assertEquals(row.fresh(), plan.fresh().stream().map(ListenerConfig::name).toList(), row.what());
        }
    }

    @Test
    void targetsThatStayKeepTheirIdsAndRemovedOnesRetireUntilTheDeadline() throws UnknownHostException
    {
        final PortgateConfig before = config(pool("p", "10.0.0.1", "10.0.0.2", "10.0.0.3"),
            tcp("web", "127.0.0.1:8000"));
        final PortgateConfig after = config(pool("p", "10.0.0.3", "10.0.0.1", "10.0.0.4"),
            tcp("web", "127.0.0.1:8000"));
        final ReloadPlan plan = ReloadPlan.of(running(before, true), after, NOW, DEADLINE);
        final Route web = plan.tcp().routes().getFirst();
        // Live targets are the pool's, in pool order; the one it dropped follows, retired until the deadline.
        assertEquals(List.of("10.0.0.3:9000", "10.0.0.1:9000", "10.0.0.4:9000", "10.0.0.2:9000"), labels(web));
        assertEquals(3, web.targets().liveCount());
        assertEquals(DEADLINE, web.targets().retiredUntilNs(3));
        assertArrayEquals(new int[] {1, 3, 0}, plan.tcp().targetMaps()[0]);
        assertArrayEquals(new int[] {0}, plan.tcp().routeMap());
    }

    @Test
    void aDrainThatRanOutIsDroppedAndItsTargetsWithIt()
    {
        final PortgateConfig before = config(tcp("web", "127.0.0.1:8000"), tcp("old", "127.0.0.1:8001"));
        final PortgateConfig after = config(tcp("web", "127.0.0.1:8000"));
        final ReloadPlan removed = ReloadPlan.of(running(before, true), after, NOW, DEADLINE);
        assertEquals(List.of("tcp web from 0 [KEEP 0:0]", "tcp old draining from 1 []"), describe(removed));
        assertArrayEquals(new int[] {0, 1}, removed.tcp().routeMap());
        assertEquals(DEADLINE, removed.tcp().routes().get(1).drainUntilNs());

        final ReloadPlan.Layout draining = new ReloadPlan.Layout(removed.tcp().routes(), List.of(), new boolean[0][]);
        final ReloadPlan still = ReloadPlan.of(draining, after, DEADLINE - 1, DEADLINE + 5);
        assertEquals(List.of("tcp web from 0 [KEEP 0:0]", "tcp old draining from 1 []"), describe(still));
        assertEquals(DEADLINE, still.tcp().routes().get(1).drainUntilNs(), "a drain keeps the deadline it had");

        final ReloadPlan later = ReloadPlan.of(draining, after, DEADLINE, DEADLINE + 5);
        assertEquals(List.of("tcp web from 0 [KEEP 0:0]"), describe(later));
        assertArrayEquals(new int[] {0, -1}, later.tcp().routeMap());
        assertArrayEquals(new int[] {-1, -1}, later.tcp().targetMaps()[1]);
    }

    @Test
    void aPortThisBalancerHoldsIsNoOtherProcesssDoing()
    {
        final PortgateConfig before = config(tcp("web", "127.0.0.1:8000-8001"), udp("dns", "127.0.0.1:5300"));
        final ReloadPlan plan = ReloadPlan.of(running(before, true), before, NOW, DEADLINE);
        assertTrue(plan.holdsNow(Protocol.TCP, 8001));
        assertFalse(plan.holdsNow(Protocol.TCP, 8002));
        assertTrue(plan.holdsNow(Protocol.UDP, 5300));
        assertFalse(plan.holdsNow(Protocol.UDP, 8000));
        final ReloadPlan closed = ReloadPlan.of(running(before, false), before, NOW, DEADLINE);
        assertFalse(closed.holdsNow(Protocol.UDP, 5300), "a closed socket holds nothing");
    }

    /** What ran: the routes a start from nothing makes of the configuration, with the UDP sockets open or not. */
    private static ReloadPlan.Layout running(final PortgateConfig config, final boolean open)
    {
        if (config == null)
        {
            return ReloadPlan.Layout.EMPTY;
        }
        final ReloadPlan start = ReloadPlan.of(ReloadPlan.Layout.EMPTY, config, 0, 0);
        final boolean[][] udpOpen = new boolean[start.udp().routes().size()][];
        for (int r = 0; r < udpOpen.length; r++)
        {
            udpOpen[r] = new boolean[start.udp().routes().get(r).portCount()];
            Arrays.fill(udpOpen[r], open);
        }
        return new ReloadPlan.Layout(start.tcp().routes(), start.udp().routes(), udpOpen);
    }

    private static List<String> describe(final ReloadPlan plan)
    {
        final List<String> lines = new ArrayList<>();
        describe("tcp", plan.tcp(), lines);
        describe("udp", plan.udp(), lines);
        return lines;
    }

    private static <R extends Route> void describe(final String protocol, final ReloadPlan.Transport<R> transport,
        final List<String> lines)
    {
        for (final ReloadPlan.Listener<R> listener : transport.listeners())
        {
            final String ports = listener.ports().stream().map(p -> p.from() + (p.oldRoute() >= 0 ? " " +
                p.oldRoute() + ":" + p.oldPort() : "")).collect(Collectors.joining(", ", "[", "]"));
            lines.add(protocol + " " + listener.route().name() + (listener.route().draining() ? " draining" : "") +
                (listener.previous() < 0 ? " new" : " from " + listener.previous()) + " " + ports +
                (listener.relisten() ? " relisten" : "") + (listener.reconfigure() ? " reconfigure" : ""));
        }
    }

    private static List<String> labels(final Route route)
    {
        final List<String> labels = new ArrayList<>();
        for (int t = 0; t < route.targetCount(); t++)
        {
            labels.add(route.targetLabel(t));
        }
        return labels;
    }

    private static ListenerConfig tcp(final String name, final String bind)
    {
        return ListenerConfig.builder(name).bind(bind).pool("p").build();
    }

    private static ListenerConfig udp(final String name, final String bind)
    {
        return ListenerConfig.builder(name).protocol(Protocol.UDP).bind(bind).pool("p").build();
    }

    private static PoolConfig pool(final String name, final String... targets)
    {
        final PoolConfig.Builder pool = PoolConfig.builder(name).port(9000);
        for (final String target : targets)
        {
            try
            {
                pool.target(InetAddress.getByName(target));
            }
            catch (final UnknownHostException ex)
            {
                throw new IllegalArgumentException(ex);
            }
        }
        return pool.build();
    }

    private static PortgateConfig config(final ListenerConfig... listeners)
    {
        return config(pool("p", "10.0.0.1", "10.0.0.2"), listeners);
    }

    private static PortgateConfig config(final PoolConfig pool, final ListenerConfig... listeners)
    {
        final PortgateConfig.Builder config = PortgateConfig.builder().workers(2).pool(pool);
        for (final ListenerConfig listener : listeners)
        {
            config.listener(listener);
        }
        return config.build();
    }
}
