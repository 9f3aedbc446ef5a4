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
    private Splice()
    {
    }

    /**
     * Whether the splice fast path works here.
     *
     * @return true when the probe moved its bytes.
     */
    public static boolean isAvailable()
    {
        return Probe.CAUSE == null;
    }

    /**
     * Why the splice fast path does not work here.
     *
     * @return the reason, or null when it works.
     */
    public static String unavailabilityCause()
    {
        return Probe.CAUSE;
    }

    /** Holds the result of the probe, run when first asked. */
    private static final class Probe
    {
        static final String CAUSE = run();

        private static String run()
        {
            if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux"))
            {
                return "splice(2) is Linux only (this is " + System.getProperty("os.name") + ")";
            }
            if (!NativeFd.isAvailable())
            {
                return NativeFd.unavailabilityCause();
            }
            try
            {
                return moveBytes();
            }
            catch (final IOException | RuntimeException | LinkageError ex)
            {
                return "the splice probe failed: " + ex;
            }
        }

        private static String moveBytes() throws IOException
        {
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
                    if (in != 2)
                    {
                        return "splice from a socket into a pipe returned " + in + describe(callState, in);
                    }
                    final long out = LibC.splice(callState, pipe.readFd(), NativeFd.of(sender), 2,
                        LibC.SPLICE_F_MOVE);
                    if (out != 2)
                    {
                        return "splice from a pipe into a socket returned " + out + describe(callState, out);
                    }
                    final ByteBuffer echoed = ByteBuffer.allocate(2);
                    while (echoed.hasRemaining() && receiver.read(echoed) >= 0)
                    {
                        // blocking channels: each read waits for bytes
                    }
                    return echoed.get(0) == 'p' && echoed.get(1) == 'g' ? null : "spliced bytes came out changed";
                }
                finally
                {
                    pipe.close(callState);
                }
            }
        }

        private static String describe(final MemorySegment callState, final long result)
        {
            return result < 0 ? " (" + LibC.strerror(LibC.errno(callState)) + ")" : "";
        }
    }
}
