package io.portgate.udp;

import io.portgate.Portgate;
import io.portgate.config.FastPath;
import io.portgate.ffm.NativeFd;
import io.portgate.ffm.UdpBatching;
import io.portgate.testing.ProcNetUdp;
import io.portgate.testing.TestConfigs;
import io.portgate.testing.UdpEchoServer;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Datagrams the kernel drops at a listener's socket, its receive buffer full, are counted by the balancer as
 * {@code receive_buffer} drops, exactly as many as the kernel's own count in the real {@code /proc/net/udp}, on both
 * datagram paths. A flood on 127.0.0.1 overflows a listener given a tiny receive buffer.
 */
class ReceiveBufferDropsTest
{
    @ParameterizedTest
    @EnumSource(value = FastPath.class, names = {"OFF", "ON"})
    @Timeout(60)
    void theKernelsDropsAtTheListenerAreCountedAsItCountsThem(final FastPath batching) throws Exception
    {
        assumeTrue(NativeFd.isAvailable(), () -> String.valueOf(NativeFd.unavailabilityCause()));
        assumeTrue(batching == FastPath.OFF || UdpBatching.probe().isAvailable(),
            () -> String.valueOf(UdpBatching.probe().unavailabilityCause()));
        try (UdpEchoServer echo = UdpEchoServer.start('A'))
        {
            final Portgate portgate = Portgate.start(TestConfigs.udp(batching, FastPath.OFF, 1,
                l -> l.receiveBuffer(4096), p -> { }, echo.port()));
            try (DatagramChannel client = DatagramChannel.open(StandardProtocolFamily.INET))
            {
                final InetSocketAddress listener = portgate.boundAddresses(TestConfigs.LISTENER).getFirst();
                final int port = listener.getPort();
                assertEquals(0, ProcNetUdp.drops(port));
                client.connect(listener);
                long kernel = 0;
                for (int round = 0; round < 20 && kernel == 0; round++)
                {
                    for (int i = 0; i < 2_000; i++)
                    {
                        client.write(ByteBuffer.wrap(new byte[1200]));
                    }
                    kernel = ProcNetUdp.drops(port);
                }
                assertTrue(kernel > 0, "the flood overflowed the listener's 4 KiB receive buffer");
                // The kernel's count is read a few times a second: wait for it to be read past the flood.
                final long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                long counted = receiveBufferDrops(portgate);
                while (counted != ProcNetUdp.drops(port) && System.nanoTime() - deadline < 0)
                {
                    Thread.sleep(20);
                    counted = receiveBufferDrops(portgate);
                }
                assertEquals(ProcNetUdp.drops(port), counted);
                assertTrue(counted >= kernel, counted + " counted, " + kernel + " dropped before");
            }
            finally
            {
                portgate.close(Duration.ZERO);
            }
        }
    }

    private static long receiveBufferDrops(final Portgate portgate)
    {
        return portgate.stats().udpListener(TestConfigs.LISTENER).dropsReceiveBuffer();
    }
}
