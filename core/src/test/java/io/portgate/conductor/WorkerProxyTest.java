package io.portgate.conductor;

import io.portgate.balance.BalancerPolicy;
import io.portgate.config.ListenerConfig;
import io.portgate.config.PoolConfig;
import io.portgate.loop.TargetFailureListener;
import io.portgate.loop.Worker;
import io.portgate.metrics.Labels;
import io.portgate.metrics.Metric;
import io.portgate.metrics.MetricsFile;
import io.portgate.metrics.RouteCounters;
import io.portgate.tcp.ConnectionLimits;
import io.portgate.tcp.MemoryBudget;
import io.portgate.tcp.TcpForwarder;
import io.portgate.tcp.TcpRoute;
import io.portgate.tcp.TcpRouteRuntime;
import io.portgate.tcp.TcpSlots;
import io.portgate.udp.UdpForwarder;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.status.AtomicCounter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The conductor's side of a worker's queue, driven by hand with no thread: a full queue neither blocks nor loses a
 * command; the command waits, in order, and every refusal is counted.
 */
class WorkerProxyTest
{
    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final List<Throwable> errors = new ArrayList<>();
    private final MetricsFile metrics = MetricsFile.inMemory(64);
    private final AtomicCounter queueFull = metrics.counter(Metric.WORKER_QUEUE_FULL, 0, Labels.of());
    private final TcpForwarder tcp = new TcpForwarder(new MemoryBudget(1 << 20), 1 << 16, false);
    private final UdpForwarder udp = new UdpForwarder(false, false);
    private final Worker worker = new Worker(0, clock::get, errors::add, 2, List.of(tcp, udp));
    private final AgentInvoker invoker = new AgentInvoker(errors::add, null, worker);
    private final WorkerProxy proxy = new WorkerProxy(worker, tcp, udp, queueFull);

    @AfterEach
    void close()
    {
        invoker.close();
        metrics.close();
        assertEquals(List.of(), errors);
    }

    @Test
    void commandsPastAFullQueueWaitInOrderAndAreCounted()
    {
        invoker.start();
        final TcpRoute route = TcpRoute.of(0, ListenerConfig.builder("web").bind("127.0.0.1:8000").pool("p").build(),
            PoolConfig.builder("p").target(InetAddress.getLoopbackAddress(), 9000).build());
        final TcpRouteRuntime runtime = new TcpRouteRuntime(route, RouteCounters.inMemory(TcpSlots.LAYOUT, 1),
            TargetFailureListener.NONE, new ConnectionLimits(10, new int[] {10}), TcpRouteRuntime.newLatencyRecorder(),
            TcpRouteRuntime.newLatencyRecorder());
        final List<Integer> applied = new ArrayList<>();
        final BalancerPolicy[] policies = new BalancerPolicy[5];
        for (int i = 0; i < policies.length; i++)
        {
            final int target = i;
            policies[i] = hashKey -> target;
            proxy.setPolicy(runtime, policies[i], () -> applied.add(target));
        }
        assertEquals(3, proxy.waiting(), "two fit the queue, three wait");
        assertEquals(1, queueFull.get(), "the refusal is counted");
        assertEquals(List.of(), applied, "nothing runs before the worker's duty cycle");

        assertFalse(proxy.flush(), "the queue is still full");
        assertEquals(2, queueFull.get());
        invoker.invoke();
        assertEquals(List.of(0, 1), applied);
        assertFalse(proxy.flush());
        invoker.invoke();
        assertTrue(proxy.flush());
        invoker.invoke();
        assertEquals(List.of(0, 1, 2, 3, 4), applied, "in the order sent");
        assertSame(policies[4], runtime.policy());
        assertEquals(0, proxy.waiting());

        // With room again, a command goes straight to the worker: nothing more is counted.
        final long counted = queueFull.get();
        proxy.setPolicy(runtime, policies[0], () -> applied.add(0));
        assertEquals(0, proxy.waiting());
        assertEquals(counted, queueFull.get());
    }
}
