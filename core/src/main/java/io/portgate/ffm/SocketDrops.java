package io.portgate.ffm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * The kernel's count of datagrams a socket dropped (its receive buffer full, above all): the same {@code sk_drops}
 * that {@code /proc/net/udp} shows in its last column. Read with {@code getsockopt(SO_MEMINFO)} on any socket, which
 * works on both datagram paths, and carried on every datagram received from a socket asked for it with
 * {@code SO_RXQ_OVFL} ({@link DatagramBatch#receivedDrops}). One reader per thread; reads allocate nothing.
 */
public final class SocketDrops
{
    /** Room for {@code SK_MEMINFO_VARS} uint32s (nine today), with room to spare for kernels that add more. */
    private static final int MEMINFO_INTS = 16;

    private final MemorySegment meminfo;
    private final MemorySegment length;

    /**
     * A reader with its native memory from an arena.
     *
     * @param arena the owner's arena; the reader lives as long as it.
     */
    public SocketDrops(final Arena arena)
    {
        meminfo = arena.allocate(JAVA_INT, MEMINFO_INTS);
        length = arena.allocate(JAVA_INT);
    }

    /**
     * The socket's drop count now.
     *
     * @param fd the socket.
     * @return the count as the kernel keeps it (an unsigned 32-bit value that wraps), or -1 when it cannot be read.
     */
    public long read(final int fd)
    {
        length.set(JAVA_INT, 0, MEMINFO_INTS * Integer.BYTES);
        if (LibC.getsockopt(fd, LibC.SOL_SOCKET, LibC.SO_MEMINFO, meminfo, length) != 0 ||
            length.get(JAVA_INT, 0) < (LibC.SK_MEMINFO_DROPS + 1) * Integer.BYTES)
        {
            return -1;
        }
        return meminfo.getAtIndex(JAVA_INT, LibC.SK_MEMINFO_DROPS) & 0xFFFF_FFFFL;
    }

    /**
     * Asks a socket to attach its drop count to every datagram it delivers ({@code SO_RXQ_OVFL}). Once, when a
     * listener's socket is opened; not on the data path.
     *
     * @param fd the socket.
     * @return 0, or the error number when the option could not be set.
     */
    public static int attachDropCounts(final int fd)
    {
        return setInt(fd, LibC.SO_RXQ_OVFL, 1);
    }

    /**
     * Sets a socket's receive buffer past {@code net.core.rmem_max} ({@code SO_RCVBUFFORCE}), which only a process
     * with CAP_NET_ADMIN may. Once, when a socket is opened.
     *
     * @param fd    the socket.
     * @param bytes the size asked for; the kernel doubles it, as for {@code SO_RCVBUF}.
     * @return 0, or the error number (EPERM without the capability).
     */
    public static int forceReceiveBuffer(final int fd, final int bytes)
    {
        return setInt(fd, LibC.SO_RCVBUFFORCE, bytes);
    }

    private static int setInt(final int fd, final int option, final int value)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment callState = LibC.newCallState(arena);
            final MemorySegment one = arena.allocate(JAVA_INT);
            one.set(JAVA_INT, 0, value);
            return LibC.setsockopt(callState, fd, LibC.SOL_SOCKET, option, one) == 0 ? 0 : LibC.errno(callState);
        }
    }
}
