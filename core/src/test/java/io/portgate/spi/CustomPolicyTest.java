package io.portgate.spi;

import io.portgate.Portgate;
import io.portgate.PortgateContext;
import io.portgate.config.ConfigException;
import io.portgate.config.ConfigLoader;
import io.portgate.config.Diagnostic;
import io.portgate.config.HostFacts;
import io.portgate.config.ListenerConfig;
import io.portgate.config.PoolConfig;
import io.portgate.config.PortRange;
import io.portgate.config.PortgateConfig;
import io.portgate.config.Position;
import io.portgate.config.Severity;
import io.portgate.config.TargetConfig;
import io.portgate.testing.EchoServer;
import io.portgate.testing.Exchange;
import io.portgate.testing.FreePorts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A balancing policy of the embedder's own, registered by name, picks the targets real connections go to. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CustomPolicyTest
{
    private static final Extensions EXTENSIONS = Extensions.builder()
        .policy(HeaviestPolicy.NAME, new HeaviestPolicy()).build();

    @Test
    void aRegisteredPolicyPicksTheTargetOfEveryConnection() throws Exception
    {
        try (EchoServer light = EchoServer.start(); EchoServer heavy = EchoServer.start())
        {
            final PortgateConfig config = config(light, heavy, HeaviestPolicy.NAME);
            try (Portgate portgate = Portgate.start(new PortgateContext(config).extensions(EXTENSIONS)))
            {
                roundTrips(portgate, 5);
                assertEquals(5, heavy.accepted(), "the heaviest target takes every connection");
                assertEquals(0, light.accepted());

                // Drained, the heavy target leaves the eligible set the policy is given: the light one takes over.
                portgate.drain("back", "127.0.0.1:" + heavy.port());
                roundTrips(portgate, 3);
                assertEquals(3, light.accepted(), "the policy saw the eligible set without the drained target");
                assertEquals(5, heavy.accepted());
            }
        }
    }

    @Test
    void aFileSelectsARegisteredPolicyByName(@TempDir final Path dir) throws Exception
    {
        try (EchoServer light = EchoServer.start(); EchoServer heavy = EchoServer.start())
        {
            final Path file = dir.resolve("portgate.yaml");
            Files.writeString(file, yaml(light, heavy, HeaviestPolicy.NAME));
            final PortgateConfig config = ConfigLoader.load(file, HostFacts.system(), EXTENSIONS).orThrow();
            assertEquals(HeaviestPolicy.NAME, config.pools().get("back").balance());
            try (Portgate portgate = Portgate.start(new PortgateContext(config).extensions(EXTENSIONS)))
            {
                roundTrips(portgate, 4);
                assertEquals(4, heavy.accepted());
                assertEquals(0, light.accepted());
                // A reload re-reads the file with the same extensions.
                assertEquals(1, portgate.reload().generation());
                roundTrips(portgate, 1);
                assertEquals(5, heavy.accepted());
            }
        }
    }

    @Test
    void aFileNamingAnUnknownPolicyIsAnErrorAtItsLineAndColumn(@TempDir final Path dir) throws Exception
    {
        final Path file = dir.resolve("portgate.yaml");
        Files.writeString(file, yaml(null, null, "heavyest"));
        final List<Diagnostic> errors = ConfigLoader.load(file, HostFacts.system(), EXTENSIONS).diagnostics()
            .stream().filter(d -> d.severity() == Severity.ERROR).toList();
        assertEquals(1, errors.size(), errors.toString());
        final Diagnostic error = errors.getFirst();
        assertEquals(file.toString(), error.source());
        assertEquals(new Position(9, 14), error.position(), error.toString());
        assertTrue(error.message().contains("'heavyest' is not a balancing policy"), error.message());
        assertTrue(error.message().contains("registered: heaviest"), error.message());
        assertTrue(error.hint().contains("heaviest"), error.hint());

        // Without the extensions, the registered name is unknown too, and the message says none is registered.
        Files.writeString(file, yaml(null, null, HeaviestPolicy.NAME));
        final Diagnostic unregistered = ConfigLoader.load(file, HostFacts.system()).diagnostics().stream()
            .filter(d -> d.severity() == Severity.ERROR).findFirst().orElseThrow();
        assertTrue(unregistered.message().contains("none is registered"), unregistered.message());
        assertTrue(unregistered.toString().startsWith(file + ":9:14: error"), unregistered.toString());
    }

    @Test
    void aConfigurationBuiltInCodeNamingAnUnregisteredPolicyDoesNotStart() throws Exception
    {
        try (EchoServer light = EchoServer.start(); EchoServer heavy = EchoServer.start())
        {
            final ConfigException ex = assertThrows(ConfigException.class,
                () -> Portgate.start(config(light, heavy, HeaviestPolicy.NAME)).close());
            assertTrue(ex.getMessage().contains("'heaviest' is not a balancing policy"), ex.getMessage());
        }
    }

    @Test
    void aPickOutsideTheEligibleSetPicksNothing() throws Exception
    {
        // A policy that always answers target 1, the heavy one, even once it is drained.
        final Extensions stubborn = Extensions.builder()
            .policy("stubborn", (targets, load, seed) -> flowHash -> 1).build();
        try (EchoServer light = EchoServer.start(); EchoServer heavy = EchoServer.start())
        {
            try (Portgate portgate = Portgate.start(new PortgateContext(config(light, heavy, "stubborn"))
                .extensions(stubborn)))
            {
                roundTrips(portgate, 2);
                assertEquals(2, heavy.accepted());
                portgate.drain("back", "127.0.0.1:" + heavy.port());
                final var front = portgate.boundAddresses("web").getFirst();
                assertThrows(java.io.IOException.class, () -> Exchange.roundTrip(front, Exchange.random(10)),
                    "a drained target gets nothing new, whatever the policy answers");
                assertEquals(2, heavy.accepted());
                assertEquals(0, light.accepted());
                assertEquals(1, portgate.stats().listener("web").refused());
            }
        }
    }

    @Test
    void namesAreCheckedWhenRegistered()
    {
        assertThrows(IllegalArgumentException.class, () -> Extensions.builder().policy("maglev", new HeaviestPolicy()));
        assertThrows(IllegalArgumentException.class, () -> Extensions.builder().policy("Bad Name",
            new HeaviestPolicy()));
        assertThrows(IllegalArgumentException.class, () -> Extensions.builder().probe("tcp",
            (request, callback) -> callback.succeeded(null)));
        assertThrows(IllegalArgumentException.class, () -> Extensions.builder()
            .policy("twice", new HeaviestPolicy()).policy("twice", new HeaviestPolicy()));
    }

    private static void roundTrips(final Portgate portgate, final int count) throws Exception
    {
        final var front = portgate.boundAddresses("web").getFirst();
        for (int i = 0; i < count; i++)
        {
            final byte[] payload = Exchange.random(100 + i);
            assertArrayEquals(payload, Exchange.roundTrip(front, payload));
        }
    }

    private static PortgateConfig config(final EchoServer light, final EchoServer heavy, final String balance)
    {
        final InetAddress loopback = InetAddress.getLoopbackAddress();
        return PortgateConfig.builder()
            .workers(1)
            .listener(ListenerConfig.builder("web").bind("127.0.0.1:" + FreePorts.tcp()).pool("back").build())
            .pool(PoolConfig.builder("back")
                .balance(balance)
                .target(new TargetConfig("127.0.0.1", loopback, PortRange.of(light.port()), 1, Position.NONE,
                    Position.NONE))
                .target(new TargetConfig("127.0.0.1", loopback, PortRange.of(heavy.port()), 3, Position.NONE,
                    Position.NONE))
                .build())
            .build();
    }

    private static String yaml(final EchoServer light, final EchoServer heavy, final String balance)
    {
        return """
            workers: 1
            listeners:
              - name: web
                bind: 127.0.0.1:%d
                pool: back
            pools:
              back:
                port: 1
                balance: %s
                targets:
                  - {address: 127.0.0.1:%d, weight: 1}
                  - {address: 127.0.0.1:%d, weight: 3}
            """.formatted(FreePorts.tcp(), balance, light == null ? 9001 : light.port(),
            heavy == null ? 9002 : heavy.port());
    }
}
