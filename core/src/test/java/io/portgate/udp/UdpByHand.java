package io.portgate.udp;

import io.portgate.balance.BalancerPolicies;
import io.portgate.conductor.ListenerSockets;
import io.portgate.config.ListenerConfig;
import io.portgate.config.PoolConfig;
import io.portgate.config.Protocol;
import io.portgate.loop.TargetFailureListener;
import io.portgate.loop.Worker;
import io.portgate.metrics.RouteCounters;
import io.portgate.testing.FreePorts;
import org.agrona.concurrent.AgentInvoker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * One worker's UDP forwarder driven by hand on the test thread with a clock the test moves, so expiry depends on the
 * loop's clock alone. Clients are non-blocking channels the test polls between duty cycles.
 */
final class UdpByHand implements AutoCloseable
{
    final AtomicLong clock = new AtomicLong(TimeUnit.SECONDS.toNanos(100));
    final List<Throwable> errors = new ArrayList<>();
    final RouteCounters counters;
    final UdpForwarder forwarder;
    final InetSocketAddress front;
    private final AgentInvoker invoker;
    private final List<DatagramChannel> clients = new ArrayList<>();

    UdpByHand(final boolean batching, final boolean gso, final int maxDatagram,
        final Consumer<ListenerConfig.Builder> listener, final int... targetPorts) throws IOException
    {
        final PoolConfig.Builder pool = PoolConfig.builder("p");
        for (final int port : targetPorts)
        {
            pool.target(InetAddress.getLoopbackAddress(), port);
        }
        final ListenerConfig.Builder l = ListenerConfig.builder("l").protocol(Protocol.UDP)
            .bind("127.0.0.1:" + FreePorts.udp()).pool("p");
        listener.accept(l);
        final ListenerConfig config = l.build();
        final UdpRoute route = UdpRoute.of(0, config, pool.build(), maxDatagram);
        final DatagramChannel channel = ListenerSockets.openUdp(config.bind().socketAddress(), route);
        front = (InetSocketAddress)channel.getLocalAddress();
        counters = RouteCounters.inMemory(UdpSlots.LAYOUT, targetPorts.length);
        final UdpRouteRuntime runtime = new UdpRouteRuntime(route, counters, TargetFailureListener.NONE);
        runtime.policy(BalancerPolicies.create(io.portgate.balance.BalanceAlgorithm.fromConfigName(route.pickBalance()), route.targetIds(), route.weights(), runtime, 0));
        forwarder = new UdpForwarder(batching, gso);
        final Worker worker = new Worker(0, clock::get, errors::add, 64, List.of(forwarder));
        invoker = new AgentInvoker(errors::add, null, worker);
        invoker.start();
        forwarder.apply(UdpReload.initial(new UdpRouteRuntime[] {runtime}, new DatagramChannel[][] {{channel}}));
    }

    DatagramChannel client() throws IOException
    {
        final DatagramChannel client = DatagramChannel.open(StandardProtocolFamily.INET)
            .bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
        client.configureBlocking(false);
        clients.add(client);
        return client;
    }

    /**
     * A non-blocking client bound to one address and connected to another address of this host at the listener's
     * port, for a listener bound to the wildcard: it only accepts replies from exactly that address.
     */
    DatagramChannel connectedClient(final String from, final String to) throws IOException
    {
        final DatagramChannel client = DatagramChannel.open(StandardProtocolFamily.INET)
            .bind(new InetSocketAddress(InetAddress.getByName(from), 0))
            .connect(new InetSocketAddress(InetAddress.getByName(to), front.getPort()));
        client.configureBlocking(false);
        clients.add(client);
        return client;
    }

    void send(final DatagramChannel client, final byte[] payload) throws IOException
    {
        assertEquals(payload.length, client.send(ByteBuffer.wrap(payload), front));
    }

    /** Sends and runs the loop until the echoed reply arrives; returns the answering target's tag. */
    byte exchange(final DatagramChannel client, final byte[] payload) throws IOException
    {
        send(client, payload);
        final ByteBuffer reply = ByteBuffer.allocate(payload.length + 2);
        runUntil(() -> receive(client, reply), "a reply");
        reply.flip();
        assertEquals(payload.length + 1, reply.remaining(), "reply length");
        final byte tag = reply.get();
        assertEquals(ByteBuffer.wrap(payload), reply, "echoed bytes");
        return tag;
    }

    private static boolean receive(final DatagramChannel client, final ByteBuffer reply)
    {
        try
        {
            return client.receive(reply) != null;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /** Runs duty cycles, without moving the clock, until the condition holds. */
    void runUntil(final BooleanSupplier condition, final String what)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadline > 0)
            {
                fail("not within 5 s of duty cycles: " + what);
            }
            invoker.invoke();
            Thread.onSpinWait();
        }
    }

    /** Runs a few duty cycles for datagrams that should lead nowhere. */
    void runFor(final Duration duration)
    {
        final long deadline = System.nanoTime() + duration.toNanos();
        while (System.nanoTime() - deadline < 0)
        {
            invoker.invoke();
            Thread.onSpinWait();
        }
    }

    void advance(final Duration duration)
    {
        clock.addAndGet(duration.toNanos());
        invoker.invoke();
    }

    long listener(final int slot)
    {
        return counters.listener(slot);
    }

    long target(final int target, final int slot)
    {
        return counters.target(target, slot);
    }

    @Override
    public void close() throws IOException
    {
        invoker.close();
        for (final DatagramChannel client : clients)
        {
            client.close();
        }
    }
}
