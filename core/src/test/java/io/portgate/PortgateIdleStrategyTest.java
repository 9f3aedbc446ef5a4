package io.portgate;

import io.portgate.config.FastPath;
import io.portgate.config.IdleStrategyName;
import io.portgate.testing.EchoServer;
import io.portgate.testing.Exchange;
import io.portgate.testing.TestConfigs;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Every idle strategy forwards, wakes for new connections after idling, and fires timeouts. */
class PortgateIdleStrategyTest
{
    @ParameterizedTest
    @EnumSource(IdleStrategyName.class)
    @Timeout(60)
    void forwardsAfterIdlingAndFiresTimeouts(final IdleStrategyName strategy) throws Exception
    {
        try (EchoServer echo = EchoServer.start();
            Portgate portgate = Portgate.start(TestConfigs.tcp(FastPath.OFF, 2,
                l -> l.idleTimeout(Duration.ofMillis(300)), g -> g.idleStrategy(strategy), echo.port())))
        {
            final InetSocketAddress front = portgate.boundAddresses(TestConfigs.LISTENER).getFirst();
            for (int i = 0; i < 3; i++)
            {
                // Long enough for backoff and block to reach their deepest sleep.
                Thread.sleep(200);
                final byte[] payload = Exchange.random(10_000);
                assertArrayEquals(payload, Exchange.roundTrip(front, payload));
            }
            try (SocketChannel quiet = SocketChannel.open(front))
            {
                assertEquals(0, Exchange.readToEnd(quiet, 0).length, "closed by the idle timeout");
            }
            assertEquals(1, portgate.stats().listener(TestConfigs.LISTENER).idleTimeouts());
        }
    }
}
