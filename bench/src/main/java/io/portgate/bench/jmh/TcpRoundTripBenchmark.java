package io.portgate.bench.jmh;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.portgate.Portgate;
import io.portgate.bench.harness.BenchServer;
import io.portgate.config.Protocol;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One 64-byte request and its echo over an open TCP connection, straight to an in-process echo backend or through an
 * embedded portgate (one worker) in front of it. The distribution ({@code SampleTime}: p50, p99, p99.9) of each path
 * is compared with {@code direct} from the same run; issue 7's targets are p50 at most 1.9x and p99 at most 2.4x.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsPrepend = {
    JvmFlags.ADD_EXPORTS, JvmFlags.MISC, JvmFlags.ADD_EXPORTS, JvmFlags.NIO_CH, JvmFlags.NATIVE_ACCESS,
    JvmFlags.UNSAFE_MEMORY_ACCESS, JvmFlags.HEAP_MIN, JvmFlags.HEAP_MAX })
@State(Scope.Thread)
public class TcpRoundTripBenchmark
{
    /**
     * How the client reaches the backend: {@code direct}, {@code portgate} (defaults), {@code portgate-block} (the
     * worker sleeps in epoll_wait) or {@code portgate-nio} (splice off).
     */
    @Param({ Paths.DIRECT, Paths.PORTGATE, Paths.PORTGATE_BLOCK, Paths.PORTGATE_NIO })
    public String path;

    /**
     * Request (and reply) size in bytes.
     */
    @Param({ "64" })
    public int size;

    private BenchServer backend;
    private Portgate portgate;
    private SocketChannel client;
    private ByteBuffer request;
    private ByteBuffer reply;

    /**
     * Starts the echo backend and, unless direct, portgate; connects once.
     *
     * @throws IOException when a socket cannot be opened.
     */
    @Setup(Level.Trial)
    public void setUp() throws IOException
    {
        backend = BenchServer.start(BenchServer.Kind.TCP_ECHO, Paths.anyLoopbackPort());
        final InetSocketAddress backendAddress = backend.localAddress();
        if (!Paths.DIRECT.equals(path))
        {
            portgate = Paths.start(path, Protocol.TCP, Paths.freePort(Protocol.TCP), List.of(backendAddress));
        }
        client = SocketChannel.open(Paths.front(path, portgate, backendAddress));
        client.setOption(StandardSocketOptions.TCP_NODELAY, true);
        request = ByteBuffer.allocateDirect(size);
        for (int i = 0; i < size; i++)
        {
            request.put(i, (byte)('a' + i % 26));
        }
        reply = ByteBuffer.allocateDirect(size);
    }

    /**
     * Closes the connection, portgate and the backend.
     *
     * @throws IOException when a close fails.
     */
    @TearDown(Level.Trial)
    public void tearDown() throws IOException
    {
        client.close();
        if (portgate != null)
        {
            portgate.close(java.time.Duration.ZERO);
        }
        backend.close();
    }

    /**
     * Writes the request and reads the whole reply.
     *
     * @return the last byte of the reply, so the read is not eliminated.
     * @throws IOException when the connection fails.
     */
    @Benchmark
    public byte roundTrip() throws IOException
    {
        return exchange(client, request, reply);
    }

    static byte exchange(final SocketChannel channel, final ByteBuffer request, final ByteBuffer reply)
        throws IOException
    {
        request.clear();
        while (request.hasRemaining())
        {
            channel.write(request);
        }
        reply.clear();
        while (reply.hasRemaining())
        {
            if (channel.read(reply) < 0)
            {
                throw new UncheckedIOException(new IOException("the far end closed the connection mid-reply"));
            }
        }
        return reply.get(reply.limit() - 1);
    }
}
