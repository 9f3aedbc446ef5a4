package io.portgate.testing;

import io.portgate.config.FastPath;
import io.portgate.config.IdleStrategyName;
import io.portgate.config.ListenerConfig;
import io.portgate.config.PoolConfig;
import io.portgate.config.PortgateConfig;

import java.net.InetAddress;
import java.util.function.Consumer;

/** Builds small configurations on 127.0.0.1 for socket tests. */
public final class TestConfigs
{
    /** The name of the listener {@link #tcp} makes. */
    public static final String LISTENER = "front";
    /** The name of the pool {@link #tcp} makes. */
    public static final String POOL = "back";

    private TestConfigs()
    {
    }

    /**
     * One TCP listener on a free port of 127.0.0.1 forwarding to targets on 127.0.0.1.
     *
     * @param splice      the splice setting.
     * @param workers     forwarder threads.
     * @param listener    changes to the listener's defaults.
     * @param global      changes to the global defaults.
     * @param targetPorts the targets' ports.
     * @return the configuration.
     */
    public static PortgateConfig tcp(
        final FastPath splice,
        final int workers,
        final Consumer<ListenerConfig.Builder> listener,
        final Consumer<PortgateConfig.Builder> global,
        final int... targetPorts)
    {
        final InetAddress loopback = InetAddress.getLoopbackAddress();
        final PoolConfig.Builder pool = PoolConfig.builder(POOL);
        for (final int port : targetPorts)
        {
            pool.target(loopback, port);
        }
        final ListenerConfig.Builder l = ListenerConfig.builder(LISTENER)
            .bind("127.0.0.1:" + FreePorts.tcp())
            .pool(POOL);
        listener.accept(l);
        final PortgateConfig.Builder g = PortgateConfig.builder()
            .workers(workers)
            .splice(splice)
            .idleStrategy(IdleStrategyName.BACKOFF)
            .listener(l.build())
            .pool(pool.build());
        global.accept(g);
        return g.build();
    }

    /**
     * One UDP listener on a free port of 127.0.0.1 forwarding to targets on 127.0.0.1.
     *
     * @param batching    the recvmmsg/sendmmsg setting.
     * @param gso         the UDP_SEGMENT setting.
     * @param workers     forwarder threads.
     * @param listener    changes to the listener's defaults.
     * @param pool        changes to the pool's defaults.
     * @param targetPorts the targets' ports.
     * @return the configuration.
     */
    public static PortgateConfig udp(
        final FastPath batching,
        final FastPath gso,
        final int workers,
        final Consumer<ListenerConfig.Builder> listener,
        final Consumer<PoolConfig.Builder> pool,
        final int... targetPorts)
    {
        final InetAddress loopback = InetAddress.getLoopbackAddress();
        final PoolConfig.Builder p = PoolConfig.builder(POOL);
        for (final int port : targetPorts)
        {
            p.target(loopback, port);
        }
        pool.accept(p);
        final ListenerConfig.Builder l = ListenerConfig.builder(LISTENER)
            .protocol(io.portgate.config.Protocol.UDP)
            .bind("127.0.0.1:" + FreePorts.udp())
            .pool(POOL);
        listener.accept(l);
        return PortgateConfig.builder()
            .workers(workers)
            .udpBatching(batching)
            .udpGso(gso)
            .idleStrategy(IdleStrategyName.BACKOFF)
            .listener(l.build())
            .pool(p.build())
            .build();
    }

    /**
     * The same with every default.
     *
     * @param splice      the splice setting.
     * @param workers     forwarder threads.
     * @param targetPorts the targets' ports.
     * @return the configuration.
     */
    public static PortgateConfig tcp(final FastPath splice, final int workers, final int... targetPorts)
    {
        return tcp(splice, workers, l -> { }, g -> { }, targetPorts);
    }
}
