package io.portgate.bench.jmh;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;

import io.portgate.ffm.LibC;
import io.portgate.ffm.NativeFd;
import io.portgate.ffm.NativePipe;
import io.portgate.ffm.Splice;
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
 * Moving one chunk from a socket to another, as the TCP forwarder does for each readable connection: NIO {@code read}
 * into an off-heap buffer and {@code write} out of it ({@code copy}), or {@code splice(2)} socket to pipe to socket
 * through {@code io.portgate.ffm} ({@code splice}). Every operation also writes the chunk into the source socket
 * and reads it out of the destination's peer, the same work for both, so compare the two modes, not the absolute
 * time. Socket buffers are 1 MiB so that no step waits for another.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsPrepend = {
    JvmFlags.ADD_EXPORTS, JvmFlags.MISC, JvmFlags.ADD_EXPORTS, JvmFlags.NIO_CH, JvmFlags.NATIVE_ACCESS,
    JvmFlags.UNSAFE_MEMORY_ACCESS, JvmFlags.HEAP_MIN, JvmFlags.HEAP_MAX })
@State(Scope.Thread)
public class CopyVsSpliceBenchmark
{
    private static final int SOCKET_BUFFER = 1 << 20;
    private static final int PIPE_CAPACITY = 1 << 16;

    /**
     * {@code copy} (NIO read and write through a direct buffer) or {@code splice}.
     */
    @Param({ "copy", "splice" })
    public String mode;

    /**
     * Bytes moved per operation.
     */
    @Param({ "4096", "65536" })
    public int chunk;

    private ServerSocketChannel server;
    private SocketChannel sourceOut;
    private SocketChannel sourceIn;
    private SocketChannel destinationOut;
    private SocketChannel destinationIn;
    private ByteBuffer payload;
    private ByteBuffer forwardBuffer;
    private ByteBuffer drainBuffer;
    private MemorySegment callState;
    private NativePipe pipe;
    private int sourceFd;
    private int destinationFd;

    /**
     * Opens the two loopback connections and, for splice, the pipe.
     *
     * @throws IOException when a socket cannot be opened.
     */
    @Setup(Level.Trial)
    public void setUp() throws IOException
    {
        server = ServerSocketChannel.open().bind(Paths.anyLoopbackPort());
        sourceOut = connect();
        sourceIn = server.accept();
        destinationOut = connect();
        destinationIn = server.accept();
        for (final SocketChannel channel : new SocketChannel[]{ sourceOut, sourceIn, destinationOut, destinationIn })
        {
            channel.setOption(StandardSocketOptions.SO_SNDBUF, SOCKET_BUFFER);
            channel.setOption(StandardSocketOptions.SO_RCVBUF, SOCKET_BUFFER);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        }
        payload = ByteBuffer.allocateDirect(chunk);
        forwardBuffer = ByteBuffer.allocateDirect(chunk);
        drainBuffer = ByteBuffer.allocateDirect(chunk);
        if ("splice".equals(mode))
        {
            if (!Splice.probe().isAvailable())
            {
                throw new IllegalStateException("splice(2) does not work here: " + Splice.probe().unavailabilityCause());
            }
            callState = LibC.newCallState();
            pipe = NativePipe.open(callState, PIPE_CAPACITY);
            sourceFd = NativeFd.of(sourceIn);
            destinationFd = NativeFd.of(destinationOut);
        }
    }

    private SocketChannel connect() throws IOException
    {
        return SocketChannel.open(server.getLocalAddress());
    }

    /**
     * Closes everything.
     *
     * @throws IOException when a close fails.
     */
    @TearDown(Level.Trial)
    public void tearDown() throws IOException
    {
        if (pipe != null)
        {
            pipe.close(callState);
        }
        for (final java.io.Closeable c : new java.io.Closeable[]{
            sourceOut, sourceIn, destinationOut, destinationIn, server })
        {
            c.close();
        }
    }

    /**
     * Writes a chunk into the source, forwards it, reads it out of the destination.
     *
     * @return bytes forwarded.
     * @throws IOException when a socket fails.
     */
    @Benchmark
    public long forward() throws IOException
    {
        payload.clear();
        while (payload.hasRemaining())
        {
            sourceOut.write(payload);
        }
        final long moved = "splice".equals(mode) ? spliceChunk() : copyChunk();
        drainBuffer.clear();
        while (drainBuffer.hasRemaining())
        {
            destinationIn.read(drainBuffer);
        }
        return moved;
    }

    private long copyChunk() throws IOException
    {
        long moved = 0;
        while (moved < chunk)
        {
            forwardBuffer.clear();
            forwardBuffer.limit((int)(chunk - moved));
            moved += sourceIn.read(forwardBuffer);
            forwardBuffer.flip();
            while (forwardBuffer.hasRemaining())
            {
                destinationOut.write(forwardBuffer);
            }
        }
        return moved;
    }

    private long spliceChunk()
    {
        long moved = 0;
        while (moved < chunk)
        {
            final long in = LibC.splice(callState, sourceFd, pipe.writeFd(), chunk - moved, LibC.SPLICE_F_MOVE);
            if (in <= 0)
            {
                throw new IllegalStateException("splice from the socket: " + LibC.strerror(LibC.errno(callState)));
            }
            long inPipe = in;
            while (inPipe > 0)
            {
                final long out = LibC.splice(callState, pipe.readFd(), destinationFd, inPipe, LibC.SPLICE_F_MOVE);
                if (out <= 0)
                {
                    throw new IllegalStateException("splice to the socket: " + LibC.strerror(LibC.errno(callState)));
                }
                inPipe -= out;
            }
            moved += in;
        }
        return moved;
    }
}
