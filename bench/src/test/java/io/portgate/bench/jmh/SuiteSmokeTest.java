package io.portgate.bench.jmh;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs each end-to-end and FFM benchmark body by hand a few times, without JMH, so a broken setup or a wrong byte
 * shows in the build rather than in a 15-minute JMH run. No timing is asserted.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SuiteSmokeTest
{
    private static final int ROUNDS = 200;

    @ParameterizedTest
    @ValueSource(strings = { Paths.DIRECT, Paths.PORTGATE, Paths.PORTGATE_BLOCK, Paths.PORTGATE_NIO })
    void tcpRoundTripEchoesTheRequest(final String path) throws IOException
    {
        final TcpRoundTripBenchmark bench = new TcpRoundTripBenchmark();
        bench.path = path;
        bench.size = 64;
        bench.setUp();
        try
        {
            for (int i = 0; i < ROUNDS; i++)
            {
                // The request is 'a'..'z' repeating: byte 63 is 'a' + 63 % 26.
                assertEquals((byte)('a' + 63 % 26), bench.roundTrip());
            }
        }
        finally
        {
            bench.tearDown();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { Paths.DIRECT, Paths.PORTGATE, Paths.PORTGATE_BLOCK })
    void handshakeGetsTheFirstByte(final String path) throws IOException
    {
        final HandshakeBenchmark bench = new HandshakeBenchmark();
        bench.path = path;
        bench.setUp();
        try
        {
            for (int i = 0; i < 50; i++)
            {
                assertEquals(0, bench.connectToFirstByte());
            }
        }
        finally
        {
            bench.tearDown();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "copy", "splice" })
    void copyAndSpliceMoveTheWholeChunk(final String mode) throws IOException
    {
        final CopyVsSpliceBenchmark bench = new CopyVsSpliceBenchmark();
        bench.mode = mode;
        bench.chunk = 65_536;
        bench.setUp();
        try
        {
            for (int i = 0; i < 50; i++)
            {
                assertEquals(65_536, bench.forward());
            }
        }
        finally
        {
            bench.tearDown();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { Paths.DIRECT, Paths.PORTGATE, Paths.PORTGATE_NIO })
    void udpLossCountsAnIteration(final String path) throws IOException
    {
        final UdpLossBenchmark bench = new UdpLossBenchmark();
        bench.path = path;
        bench.rate = 10_000;
        try
        {
            bench.setUp();
        }
        catch (final IllegalStateException ex)
        {
            // A build without the UDP engine (issue 4) cannot run the portgate paths; direct must always work.
            Assumptions.assumeFalse(!Paths.DIRECT.equals(path) && ex.getMessage().contains("issue 4"), ex::getMessage);
            throw ex;
        }
        try
        {
            final UdpLossBenchmark.Loss loss = new UdpLossBenchmark.Loss();
            loss.startIteration();
            for (int i = 0; i < 1_000; i++)
            {
                assertEquals(64, bench.offer(loss));
            }
            loss.endIteration();
            assertEquals(1_000, loss.sent);
            assertTrue(loss.lost >= 0 && loss.lost <= loss.sent, () -> "lost " + loss.lost + " of " + loss.sent);
        }
        finally
        {
            bench.tearDown();
        }
    }
}
