package io.portgate.bench.harness;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.Random;

import static io.portgate.bench.harness.BenchRunnerTest.ANY_LOOPBACK_PORT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(20)
class BenchServerTest
{
    @Test
    void tcpEchoReturnsEveryByteEvenWhenTheClientReadsLate() throws Exception
    {
        final byte[] sent = new byte[2 * 1024 * 1024];
        new Random(7).nextBytes(sent);
        try (BenchServer echo = BenchServer.start(BenchServer.Kind.TCP_ECHO, ANY_LOOPBACK_PORT);
             Socket s = new Socket(echo.localAddress().getAddress(), echo.localAddress().getPort()))
        {
            // Write it all before reading any: the echo must hold back rather than lose what it cannot write yet.
            final Thread writer = Thread.ofPlatform().start(() ->
            {
                try
                {
                    s.getOutputStream().write(sent);
                }
                catch (final IOException ex)
                {
                    throw new IllegalStateException(ex);
                }
            });
            Thread.sleep(100);
            final byte[] received = new byte[sent.length];
            new DataInputStream(s.getInputStream()).readFully(received);
            writer.join();
            assertArrayEquals(sent, received);
            assertEquals(sent.length, echo.bytes());
            assertEquals(1, echo.connections());
        }
    }

    @Test
    void udpEchoSendsTheDatagramBack() throws IOException
    {
        try (BenchServer echo = BenchServer.start(BenchServer.Kind.UDP_ECHO, ANY_LOOPBACK_PORT);
             DatagramSocket s = new DatagramSocket(0, echo.localAddress().getAddress()))
        {
            s.setSoTimeout(2_000);
            final byte[] data = "portgate".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            s.send(new DatagramPacket(data, data.length, echo.localAddress()));
            final DatagramPacket reply = new DatagramPacket(new byte[100], 100);
            s.receive(reply);
            assertArrayEquals(data, Arrays.copyOf(reply.getData(), reply.getLength()));
            assertEquals(1, echo.messages());
        }
    }

    @Test
    void tcpSinkCountsWhatItDiscards() throws Exception
    {
        try (BenchServer sink = BenchServer.start(BenchServer.Kind.TCP_SINK, ANY_LOOPBACK_PORT))
        {
            try (Socket s = new Socket(sink.localAddress().getAddress(), sink.localAddress().getPort()))
            {
                s.getOutputStream().write(new byte[100_000]);
            }
            final long deadline = System.nanoTime() + 2_000_000_000L;
            while (sink.bytes() < 100_000 && System.nanoTime() < deadline)
            {
                Thread.sleep(5);
            }
            assertEquals(100_000, sink.bytes());
        }
    }

    @Test
    void udpSinkCountsMeasuredDatagramsPerFlow() throws IOException
    {
        final UdpSink sink = new UdpSink(ANY_LOOPBACK_PORT);
        try (DatagramSocket s = new DatagramSocket(0, sink.localAddress().getAddress()))
        {
            send(s, sink, Payload.tag(false, 0, 0));
            send(s, sink, Payload.tag(true, 0, 1));
            send(s, sink, Payload.tag(true, 1, 1));
            send(s, sink, Payload.tag(true, 0, 1));
            send(s, sink, Payload.tag(true, 0, 3));
            send(s, sink, Payload.tag(true, 0, 2));
            s.send(new DatagramPacket(new byte[3], 3, sink.localAddress()));
            final long deadline = System.nanoTime() + 2_000_000_000L;
            while (sink.messages() < 7 && System.nanoTime() < deadline)
            {
                Thread.onSpinWait();
            }
        }
        sink.close();
        final UdpSink.Stats stats = sink.stats();
        assertEquals(new UdpSink.Stats(7, 6 * 16 + 3, 4, 1, 1, 0, 1, 1, 2), stats);
    }

    @Test
    void bindingAPortInUseSaysWhich() throws IOException
    {
        try (BenchServer first = BenchServer.start(BenchServer.Kind.TCP_SINK, ANY_LOOPBACK_PORT))
        {
            final IOException ex = assertThrows(IOException.class,
                () -> BenchServer.start(BenchServer.Kind.TCP_ECHO, first.localAddress()));
            assertTrue(ex.getMessage().startsWith("cannot listen on 127.0.0.1:" + first.localAddress().getPort()),
                ex.getMessage());
        }
    }

    @Test
    void kindsByRoleAndProtocol()
    {
        assertEquals(BenchServer.Kind.UDP_SINK, BenchServer.Kind.of("sink", "UDP"));
        assertEquals(BenchServer.Kind.TCP_ECHO, BenchServer.Kind.of("echo", "tcp"));
        assertThrows(IllegalArgumentException.class, () -> BenchServer.Kind.of("echo", "sctp"));
    }

    private static void send(final DatagramSocket s, final UdpSink sink, final long tag) throws IOException
    {
        final java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(16);
        Payload.write(b, tag, System.nanoTime());
        s.send(new DatagramPacket(b.array(), 16, sink.localAddress()));
    }
}
