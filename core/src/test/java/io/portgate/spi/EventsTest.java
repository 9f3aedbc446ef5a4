package io.portgate.spi;

import io.portgate.Portgate;
import io.portgate.PortgateContext;
import io.portgate.config.ConfigException;
import io.portgate.config.ListenerConfig;
import io.portgate.config.PoolConfig;
import io.portgate.config.PortgateConfig;
import io.portgate.testing.EchoServer;
import io.portgate.testing.Exchange;
import io.portgate.testing.FreePorts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An event listener hears, in order and on a thread of its own, of listeners bound and closed, reloads applied and
 * rejected, and targets drained and undrained.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EventsTest
{
    @Test
    void aListenerHearsWhatHappensInOrder() throws Exception
    {
        final BlockingQueue<PortgateEvent> events = new LinkedBlockingQueue<>();
        final List<String> threads = new ArrayList<>();
        final EventListener listener = event ->
        {
            threads.add(Thread.currentThread().getName());
            events.add(event);
        };
        try (EchoServer echo = EchoServer.start())
        {
            final int webPort = FreePorts.tcp();
            final PortgateConfig config = config(echo, webPort, false);
            final Portgate portgate = Portgate.start(new PortgateContext(config).events(listener));
            try
            {
                final PortgateEvent.ListenerBound bound = next(events, PortgateEvent.ListenerBound.class);
                assertEquals("web", bound.listener());
                assertEquals(portgate.boundAddresses("web"), bound.addresses());
                final byte[] payload = Exchange.random(128);
                assertArrayEquals(payload, Exchange.roundTrip(bound.addresses().getFirst(), payload));

                portgate.reload(config(echo, webPort, true));
                final PortgateEvent.ListenerBound api = next(events, PortgateEvent.ListenerBound.class);
                assertEquals("api", api.listener());
                assertArrayEquals(payload, Exchange.roundTrip(api.addresses().getFirst(), payload));
                final PortgateEvent.ReloadApplied applied = next(events, PortgateEvent.ReloadApplied.class);
                assertEquals(1, applied.generation());
                assertTrue(applied.changes().stream().anyMatch(c -> c.contains("+listener api")), applied.toString());

                final PortgateConfig broken = PortgateConfig.builder()
                    .listener(ListenerConfig.builder("web").bind("127.0.0.1:" + FreePorts.tcp()).pool("nope").build())
                    .build();
                assertThrows(ConfigException.class, () -> portgate.reload(broken));
                final PortgateEvent.ReloadRejected rejected = next(events, PortgateEvent.ReloadRejected.class);
                assertTrue(rejected.reason().contains("'nope'"), rejected.reason());

                final String target = "127.0.0.1:" + echo.port();
                portgate.drain("back", target);
                final PortgateEvent.TargetStateChanged drained = next(events,
                    PortgateEvent.TargetStateChanged.class);
                assertEquals(new PortgateEvent.TargetStateChanged("back", target, TargetState.UP,
                    TargetState.DRAINING, "drained by an operator", null), drained);
                portgate.undrain("back", target);
                final PortgateEvent.TargetStateChanged undrained = next(events,
                    PortgateEvent.TargetStateChanged.class);
                assertEquals(TargetState.DRAINING, undrained.from());
                assertEquals(TargetState.UP, undrained.to());
                assertNull(undrained.probeResult());
            }
            finally
            {
                portgate.close();
            }
            final List<String> closed = new ArrayList<>();
            closed.add(next(events, PortgateEvent.ListenerClosed.class).listener());
            closed.add(next(events, PortgateEvent.ListenerClosed.class).listener());
            assertEquals(List.of("api", "web"), closed.stream().sorted().toList());
            assertTrue(events.isEmpty(), "nothing after the close: " + events);
        }
        assertTrue(threads.stream().allMatch("portgate-events"::equals), threads.toString());
        assertNotEquals(Thread.currentThread().getName(), threads.getFirst());
    }

    @Test
    void aListenerThatThrowsStillHearsTheNextEvent() throws Exception
    {
        final BlockingQueue<PortgateEvent> events = new LinkedBlockingQueue<>();
        try (EchoServer echo = EchoServer.start())
        {
            try (Portgate portgate = Portgate.start(new PortgateContext(config(echo, FreePorts.tcp(), false)).events(event ->
            {
                events.add(event);
                throw new IllegalStateException("a listener's own bug");
            })))
            {
                next(events, PortgateEvent.ListenerBound.class);
                portgate.drain("back", "127.0.0.1:" + echo.port());
                assertEquals(TargetState.DRAINING, next(events, PortgateEvent.TargetStateChanged.class).to());
            }
        }
    }

    private static <E extends PortgateEvent> E next(final BlockingQueue<PortgateEvent> events, final Class<E> type)
        throws InterruptedException
    {
        final PortgateEvent event = events.poll(10, TimeUnit.SECONDS);
        assertInstanceOf(type, event, "the next event");
        return type.cast(event);
    }

    private static PortgateConfig config(final EchoServer echo, final int webPort, final boolean withApi)
    {
        final PortgateConfig.Builder config = PortgateConfig.builder()
            .workers(1)
            .listener(ListenerConfig.builder("web").bind("127.0.0.1:" + webPort).pool("back").build())
            .pool(PoolConfig.builder("back").target(InetAddress.getLoopbackAddress(), echo.port()).build());
        if (withApi)
        {
            config.listener(ListenerConfig.builder("api").bind("127.0.0.1:" + FreePorts.tcp()).pool("back").build());
        }
        return config.build();
    }
}
