package io.portgate;

import io.portgate.config.FastPath;
import io.portgate.testing.EchoServer;
import io.portgate.testing.OpenFds;
import io.portgate.testing.TestConfigs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.net.ServerSocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A start that fails after its sockets are bound (here: a metrics file too small for the listener's counters, which
 * are taken after the binding) leaves nothing open: not a listening socket, not the conductor's probe selector, not
 * a worker's event source.
 */
class StartFailureTest
{
    @Test
    @Timeout(30)
    void aStartThatCannotTakeItsCountersLeavesNothingOpen() throws Exception
    {
        try (EchoServer echo = EchoServer.start())
        {
            final PortgateContext context = new PortgateContext(TestConfigs.tcp(FastPath.OFF, 2, echo.port()))
                .sizes(PortgateContext.WORKER_COMMAND_CAPACITY, 4);
            // Warm up the classes a start loads, so the count below sees only what this start opens.
            Portgate.start(TestConfigs.tcp(FastPath.OFF, 1, echo.port())).close(java.time.Duration.ZERO);
            final long fdsBefore = OpenFds.count();
            final IllegalStateException full = assertThrows(IllegalStateException.class,
                () -> Portgate.start(context));
            assertTrue(full.getMessage().startsWith("metrics file is full"), full.getMessage());
            assertEquals(fdsBefore, OpenFds.awaitAtMost(fdsBefore, 2_000), "file descriptors before and after");
            final InetSocketAddress port = context.config().listeners().getFirst().bind().socketAddress();
            try (ServerSocket again = new ServerSocket(port.getPort(), 1, port.getAddress()))
            {
                assertEquals(port.getPort(), again.getLocalPort(), "the listener's port is free again");
            }
        }
    }
}
