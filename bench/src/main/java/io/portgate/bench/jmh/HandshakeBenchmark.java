package io.portgate.bench.jmh;

import java.io.IOException;
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
 * Handshake time: from the start of a TCP connect to the first byte of the reply to a 64-byte request, then close;
 * straight to an in-process echo backend or through an embedded portgate. Through portgate this includes accepting,
 * picking a target, connecting to it (portgate reads nothing from the client before the backend is connected) and
 * both copies. Iterations are short because every operation leaves a socket in TIME_WAIT.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsPrepend = {
    JvmFlags.ADD_EXPORTS, JvmFlags.MISC, JvmFlags.ADD_EXPORTS, JvmFlags.NIO_CH, JvmFlags.NATIVE_ACCESS,
    JvmFlags.UNSAFE_MEMORY_ACCESS, JvmFlags.HEAP_MIN, JvmFlags.HEAP_MAX })
@State(Scope.Thread)
public class HandshakeBenchmark
{
    /**
     * How the client reaches the backend: {@code direct}, {@code portgate} (defaults) or {@code portgate-block}.
     */
    @Param({ Paths.DIRECT, Paths.PORTGATE, Paths.PORTGATE_BLOCK })
    public String path;

    private static final int REQUEST_SIZE = 64;

    private BenchServer backend;
    private Portgate portgate;
    private InetSocketAddress front;
    private ByteBuffer request;
    private ByteBuffer firstByte;

    /**
     * Starts the echo backend and, unless direct, portgate.
     *
     * @throws IOException when the backend cannot bind.
     */
    @Setup(Level.Trial)
    public void setUp() throws IOException
    {
        backend = BenchServer.start(BenchServer.Kind.TCP_ECHO, Paths.anyLoopbackPort());
        if (!Paths.DIRECT.equals(path))
        {
            portgate = Paths.start(path, Protocol.TCP, Paths.freePort(Protocol.TCP), List.of(backend.localAddress()));
        }
        front = Paths.front(path, portgate, backend.localAddress());
        request = ByteBuffer.allocateDirect(REQUEST_SIZE);
        firstByte = ByteBuffer.allocateDirect(REQUEST_SIZE);
    }

    /** Stops portgate and the backend. */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        if (portgate != null)
        {
            portgate.close(java.time.Duration.ZERO);
        }
        backend.close();
    }

    /**
     * Connects, sends the request, waits for the first reply byte, closes.
     *
     * @return the first reply byte.
     * @throws IOException when the connection fails.
     */
    @Benchmark
    public byte connectToFirstByte() throws IOException
    {
        try (SocketChannel channel = SocketChannel.open())
        {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.connect(front);
            request.clear();
            while (request.hasRemaining())
            {
                channel.write(request);
            }
            firstByte.clear();
            while (firstByte.position() == 0)
            {
                if (channel.read(firstByte) < 0)
                {
                    throw new IOException("closed before the first reply byte");
                }
            }
            return firstByte.get(0);
        }
    }
}
