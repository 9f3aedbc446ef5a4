package io.portgate;

import io.portgate.config.HealthConfig;
import io.portgate.config.IdleStrategyName;
import io.portgate.config.ListenerConfig;
import io.portgate.config.PoolConfig;
import io.portgate.config.PortgateConfig;
import io.portgate.spi.TargetState;
import io.portgate.testing.EchoServer;
import io.portgate.testing.Exchange;
import io.portgate.testing.FreePorts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 12: an idle balancer's conductor sleeps until its next deadline (a health probe, a gauge refresh) or a
 * command, instead of waking every millisecond; probes keep running and verdicts keep coming, and a command is
 * still applied at once.
 */
class QuietControlPlaneTest
{
    /** The budget for the whole process when idle; the conductor alone stays well inside it. */
    private static final int WAKE_UPS_PER_SECOND = 10;
    private static final int MEASURED_SECONDS = 4;

    @Test
    @Timeout(60)
    void anIdleConductorWakesForItsDeadlinesAndItsCommandsOnly() throws Exception
    {
        try (EchoServer first = EchoServer.start(); EchoServer second = EchoServer.start())
        {
            final int dead = FreePorts.tcp();
            final InetAddress loopback = InetAddress.getLoopbackAddress();
            // Three probed targets at the default interval (2 s), one of them refusing: probes, verdicts and
            // gauges all have deadlines of their own.
            final PoolConfig pool = PoolConfig.builder("back").target(loopback, first.port())
                .target(loopback, second.port()).target(loopback, dead)
                .health(HealthConfig.builder().fall(2).build()).build();
            final PortgateConfig config = PortgateConfig.builder().workers(1).idleStrategy(IdleStrategyName.BLOCK)
                .listener(ListenerConfig.builder("front").bind("127.0.0.1:" + FreePorts.tcp()).pool("back").build())
                .pool(pool).build();
            try (Portgate portgate = Portgate.start(config))
            {
                final InetSocketAddress front = portgate.boundAddresses("front").getFirst();
                final String deadLabel = portgate.targets().get(2).target();
                // Probes run while it sleeps: the refusing target is found down (two failed probes).
                final long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (state(portgate, deadLabel) != TargetState.DOWN)
                {
                    assertTrue(System.nanoTime() - giveUp < 0, "the refusing target never went down");
                    Thread.sleep(50);
                }
                final byte[] payload = Exchange.random(1000);
                assertArrayEquals(payload, Exchange.roundTrip(front, payload));

                final long before = portgate.conductorDutyCycles();
                Thread.sleep(TimeUnit.SECONDS.toMillis(MEASURED_SECONDS));
                final long cycles = portgate.conductorDutyCycles() - before;
                assertTrue(cycles <= (long)WAKE_UPS_PER_SECOND * MEASURED_SECONDS,
                    "the idle conductor ran " + cycles + " duty cycles in " + MEASURED_SECONDS + " s");

                // A command wakes it: the drain is shown once every worker picks by it, well before any deadline.
                final String live = portgate.targets().get(0).target();
                portgate.drain("back", live);
                assertEquals(TargetState.DRAINING, state(portgate, live));
                assertArrayEquals(payload, Exchange.roundTrip(front, payload));
            }
        }
    }

    private static TargetState state(final Portgate portgate, final String label)
    {
        return portgate.targets().stream().filter(t -> t.target().equals(label)).findFirst()
            .map(TargetView::state).orElseThrow();
    }
}
