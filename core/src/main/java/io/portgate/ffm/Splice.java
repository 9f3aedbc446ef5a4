package io.portgate.ffm;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * Whether TCP data can be forwarded with splice(2) through a pipe instead of being copied through user space.
 * The probe runs once, on first use: it moves real bytes from one loopback socket to another through a pipe, so a
 * kernel or sandbox that has the call but not for sockets is caught too.
 */
public final class Splice
{
    private static final FeatureProbe PROBE = FeatureProbe.run("splice", "splice(2) does not work here",
        "copying through NIO buffers", Splice::moveBytes);

    private Splice()
    {
    }

    /**
     * The probe's verdict, to {@link FeatureProbe#resolve resolve} a setting with; the probe runs on first use.
     *
     * @return the verdict.
     */
    public static FeatureProbe probe()
    {
        return PROBE;
    }

    private static void moveBytes() throws IOException, FeatureProbe.Unavailable
    {
        FeatureProbe.requireLinux("splice(2) is");
        NativeFd.requireAvailable();
        final MemorySegment callState = LibC.newCallState();
        try (ServerSocketChannel server = ServerSocketChannel.open()
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            SocketChannel sender = SocketChannel.open(server.getLocalAddress());
            SocketChannel receiver = server.accept())
        {
            final NativePipe pipe = NativePipe.open(callState, 4096);
            try
            {
                sender.write(ByteBuffer.wrap(new byte[] {'p', 'g'}));
                final long in = LibC.splice(callState, NativeFd.of(receiver), pipe.writeFd(), 2,
                    LibC.SPLICE_F_MOVE);
                FeatureProbe.require(in == 2, "splice from a socket into a pipe returned " + in +
                    LibC.describe(callState, in));
                final long out = LibC.splice(callState, pipe.readFd(), NativeFd.of(sender), 2,
                    LibC.SPLICE_F_MOVE);
                FeatureProbe.require(out == 2, "splice from a pipe into a socket returned " + out +
                    LibC.describe(callState, out));
                final ByteBuffer echoed = ByteBuffer.allocate(2);
                while (echoed.hasRemaining() && receiver.read(echoed) >= 0)
                {
                    // blocking channels: each read waits for bytes
                }
                FeatureProbe.require(echoed.get(0) == 'p' && echoed.get(1) == 'g',
                    "spliced bytes came out changed");
            }
            finally
            {
                pipe.close(callState);
            }
        }
    }
}
