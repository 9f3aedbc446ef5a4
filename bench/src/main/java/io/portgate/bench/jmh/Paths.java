package io.portgate.bench.jmh;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

import io.portgate.Portgate;
import io.portgate.balance.BalanceAlgorithm;
import io.portgate.config.FastPath;
import io.portgate.config.IdleStrategyName;
import io.portgate.config.ListenerConfig;
import io.portgate.config.PoolConfig;
import io.portgate.config.PortgateConfig;
import io.portgate.config.Protocol;

/**
 * The ways an end-to-end benchmark reaches its in-process backend, by {@code @Param} value, and the embedded
 * portgate in front of it: one worker, round robin over the given backends, like {@code bench/compare/compare.sh}.
 */
final class Paths
{
    /** Straight to the backend: the baseline every other path is a ratio to. */
    static final String DIRECT = "direct";
    /**
     * Through portgate with idle strategy {@code backoff} (the default until these benchmarks showed {@code block}
     * cheaper), splice and UDP batching {@code auto}.
     */
    static final String PORTGATE = "portgate";
    /** Through portgate with {@code idle-strategy: block}: the worker sleeps in epoll_wait, as HAProxy and nginx do. */
    static final String PORTGATE_BLOCK = "portgate-block";
    /** Through portgate with the Panama fast paths off: plain NIO copies, one datagram per call. */
    static final String PORTGATE_NIO = "portgate-nio";

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private Paths()
    {
    }

    /**
     * Starts portgate with one listener on a free loopback port in front of the backends.
     *
     * @param path     which portgate variant, one of the constants above except {@link #DIRECT}.
     * @param protocol the listener's protocol.
     * @param port     the listener's port, see {@link #freePort}.
     * @param backends the targets.
     * @return the running balancer.
     */
    static Portgate start(final String path, final Protocol protocol, final int port,
        final List<InetSocketAddress> backends)
    {
        final PoolConfig.Builder pool = PoolConfig.builder("backends").balance(BalanceAlgorithm.ROUND_ROBIN.configName());
        for (final InetSocketAddress backend : backends)
        {
            pool.target(backend.getAddress(), backend.getPort());
        }
        final boolean nio = PORTGATE_NIO.equals(path);
        final PortgateConfig config = PortgateConfig.builder()
            .workers(1)
            .idleStrategy(PORTGATE_BLOCK.equals(path) ? IdleStrategyName.BLOCK : IdleStrategyName.BACKOFF)
            .splice(nio ? FastPath.OFF : FastPath.AUTO)
            .udpBatching(nio ? FastPath.OFF : FastPath.AUTO)
            .drainTimeout(Duration.ZERO)
            .listener(ListenerConfig.builder("front").protocol(protocol).bind("127.0.0.1:" + port).pool("backends")
                .build())
            .pool(pool.build())
            .build();
        return Portgate.start(config);
    }

    /**
     * The address the benchmark should talk to.
     *
     * @param path     the path.
     * @param portgate the balancer, null for {@link #DIRECT}.
     * @param backend  the backend a direct path talks to.
     * @return where to connect or send.
     */
    static InetSocketAddress front(final String path, final Portgate portgate, final InetSocketAddress backend)
    {
        return DIRECT.equals(path) ? backend : portgate.boundAddresses("front").getFirst();
    }

    /**
     * A loopback address with a port 0 that the kernel turns into a free one.
     *
     * @return the address.
     */
    static InetSocketAddress anyLoopbackPort()
    {
        return new InetSocketAddress(LOOPBACK, 0);
    }

    /**
     * A port that was free a moment ago: the configuration validator takes ports 1-65535 only, so a listener cannot
     * ask for port 0. The race with another process taking it meanwhile is accepted in a benchmark.
     *
     * @param protocol the protocol the port must be free for.
     * @return the port.
     */
    static int freePort(final Protocol protocol)
    {
        try (java.nio.channels.NetworkChannel probe = protocol == Protocol.UDP ?
            java.nio.channels.DatagramChannel.open() : java.nio.channels.ServerSocketChannel.open())
        {
            probe.bind(anyLoopbackPort());
            return ((InetSocketAddress)probe.getLocalAddress()).getPort();
        }
        catch (final java.io.IOException ex)
        {
            throw new java.io.UncheckedIOException("no free " + protocol + " port on loopback", ex);
        }
    }
}
