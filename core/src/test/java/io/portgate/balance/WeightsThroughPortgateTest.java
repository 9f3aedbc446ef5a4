package io.portgate.balance;

import io.portgate.Portgate;
import io.portgate.config.FastPath;
import io.portgate.config.IdleStrategyName;
import io.portgate.config.ListenerConfig;
import io.portgate.config.PoolConfig;
import io.portgate.config.PortgateConfig;
import io.portgate.config.Position;
import io.portgate.config.TargetConfig;
import io.portgate.TargetView;
import io.portgate.testing.EchoServer;
import io.portgate.testing.Exchange;
import io.portgate.testing.FreePorts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Weights decide the split of real connections through a running balancer, under the default policy (a pool that
 * names no {@code balance}) and the other policies that do not hash the client: configured weights 3:1 split 3:1,
 * and an operator's weight changes the split. Each connection sends random bytes and checks every byte of the echo.
 */
class WeightsThroughPortgateTest
{
    private static final int CONNECTIONS = 400;
    /** The split must be within this fraction of each target's expected count. */
    private static final double TOLERANCE = 0.15;

    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void close() throws Exception
    {
        for (int i = resources.size() - 1; i >= 0; i--)
        {
            if (resources.get(i) instanceof Portgate portgate)
            {
                portgate.close(Duration.ZERO);
            }
            else
            {
                resources.get(i).close();
            }
        }
    }

    /** The policies that pick without hashing the client; null is a pool that names none, the default. */
    enum Policy
    {
        DEFAULT(null), ROUND_ROBIN(BalanceAlgorithm.ROUND_ROBIN), WEIGHTED(BalanceAlgorithm.WEIGHTED),
        LEAST_CONN(BalanceAlgorithm.LEAST_CONN);

        final BalanceAlgorithm algorithm;

        Policy(final BalanceAlgorithm algorithm)
        {
            this.algorithm = algorithm;
        }
    }

    @ParameterizedTest
    @EnumSource(Policy.class)
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void weightsThreeToOneSplitThreeToOneAndAnOperatorsWeightChangesTheSplit(final Policy policy) throws Exception
    {
        final EchoServer heavy = track(EchoServer.start());
        final EchoServer light = track(EchoServer.start());
        final InetAddress loopback = InetAddress.getByName("127.0.0.1");
        final PoolConfig.Builder pool = PoolConfig.builder("p")
            .target(new TargetConfig("127.0.0.1", loopback, io.portgate.config.PortRange.of(heavy.port()), 3,
                Position.NONE, Position.NONE))
            .target(new TargetConfig("127.0.0.1", loopback, io.portgate.config.PortRange.of(light.port()), 1,
                Position.NONE, Position.NONE));
        if (policy.algorithm != null)
        {
            pool.balance(policy.algorithm.configName());
        }
        final PoolConfig built = pool.build();
        if (policy.algorithm == null)
        {
            assertEquals(BalanceAlgorithm.ROUND_ROBIN.configName(), built.balance(), "a pool naming no policy is round-robin");
        }
        final Portgate portgate = track(Portgate.start(PortgateConfig.builder()
            .workers(2)
            .splice(FastPath.OFF)
            .idleStrategy(IdleStrategyName.BACKOFF)
            .admin(io.portgate.config.Addresses.parseEndpoint("127.0.0.1:" + FreePorts.tcp(), true))
            .listener(ListenerConfig.builder("web").bind("127.0.0.1:" + FreePorts.tcp()).pool("p").build())
            .pool(built)
            .build()));
        final InetSocketAddress front = portgate.boundAddresses("web").getFirst();

        roundTrips(portgate, front, CONNECTIONS);
        assertSplit(new int[] {heavy.accepted(), light.accepted()}, new int[] {3, 1}, policy + ", weights 3:1");

        // The operator's call, as an operator makes it: through the admin endpoint.
        final String lightTarget = portgate.targets().get(1).target();
        final HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
            "http://127.0.0.1:" + portgate.adminAddress().getPort() + "/api/pools/p/targets/" + lightTarget +
                "/weight?value=3")).POST(HttpRequest.BodyPublishers.noBody()).build(),
            HttpResponse.BodyHandlers.ofString());
        assertEquals(200, answer.statusCode(), answer.body());
        awaitWeight(portgate, 1, 3);
        final int heavyBefore = heavy.accepted();
        final int lightBefore = light.accepted();
        roundTrips(portgate, front, CONNECTIONS);
        assertSplit(new int[] {heavy.accepted() - heavyBefore, light.accepted() - lightBefore}, new int[] {1, 1},
            policy + ", weights 3:3 after the operator's call");
    }

    /**
     * One connection at a time, each closed through the balancer before the next opens: least-conn then sees every
     * target idle at every pick, as the policies that count nothing always do, so the split is the weights' alone.
     */
    private static void roundTrips(final Portgate portgate, final InetSocketAddress front, final int count)
        throws IOException, InterruptedException
    {
        for (int i = 0; i < count; i++)
        {
            final byte[] payload = Exchange.random(48);
            assertArrayEquals(payload, Exchange.roundTrip(front, payload), "echo of connection " + i);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (portgate.stats().listener("web").activeConnections() > 0)
            {
                if (System.nanoTime() - deadline > 0)
                {
                    fail("connection " + i + " was not released within 10 s");
                }
                Thread.onSpinWait();
            }
        }
    }

    private static void assertSplit(final int[] counts, final int[] weights, final String what)
    {
        final int total = java.util.Arrays.stream(counts).sum();
        final int totalWeight = java.util.Arrays.stream(weights).sum();
        assertEquals(CONNECTIONS, total, what + ": every connection reached a target");
        for (int i = 0; i < counts.length; i++)
        {
            final double expected = (double)total * weights[i] / totalWeight;
            final int index = i;
            assertTrue(Math.abs(counts[i] - expected) <= TOLERANCE * expected,
                () -> what + ": target " + index + " got " + counts[index] + " of " + total + ", expected " +
                    expected + " within " + (int)(TOLERANCE * 100) + " %; split " +
                    java.util.Arrays.toString(counts));
        }
    }

    /** An operator's weight is shown once every forwarder picks by it. */
    private static void awaitWeight(final Portgate portgate, final int target, final int weight)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true)
        {
            final TargetView view = portgate.targets().get(target);
            if (view.weight() == weight)
            {
                return;
            }
            if (System.nanoTime() - deadline > 0)
            {
                fail("the weight was not applied within 10 s: " + view);
            }
            Thread.sleep(5);
        }
    }

    private <T extends AutoCloseable> T track(final T resource)
    {
        resources.add(resource);
        return resource;
    }
}
