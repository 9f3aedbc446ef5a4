package io.portgate.ffm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * A non-blocking pipe made with pipe2(2), the kernel-side buffer splice(2) moves socket data through. Owned by one
 * thread; pooled by its user because making one costs two system calls and closing it two more.
 */
public final class NativePipe
{
    private final int readFd;
    private final int writeFd;
    private final int capacity;
    private boolean closed;

    private NativePipe(final int readFd, final int writeFd, final int capacity)
    {
        this.readFd = readFd;
        this.writeFd = writeFd;
        this.capacity = capacity;
    }

    /**
     * Opens a pipe and asks the kernel for a capacity.
     *
     * @param callState the calling thread's call state ({@link LibC#newCallState()}).
     * @param capacity  the wanted capacity in bytes; the kernel rounds it up to a power of two pages and may refuse
     *                  more than /proc/sys/fs/pipe-max-size, in which case the default capacity is kept.
     * @return the pipe.
     * @throws IllegalStateException when pipe2 fails (for example out of file descriptors).
     */
    public static NativePipe open(final MemorySegment callState, final int capacity)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment fds = arena.allocate(JAVA_INT, 2);
            if (LibC.pipe2(callState, fds, LibC.O_NONBLOCK | LibC.O_CLOEXEC) != 0)
            {
                final int errno = LibC.errno(callState);
                throw new IllegalStateException("pipe2 failed: " + LibC.strerror(errno));
            }
            final int readFd = fds.getAtIndex(JAVA_INT, 0);
            final int writeFd = fds.getAtIndex(JAVA_INT, 1);
            LibC.fcntl(callState, writeFd, LibC.F_SETPIPE_SZ, capacity);
            final int actual = LibC.fcntl(callState, writeFd, LibC.F_GETPIPE_SZ, 0);
            return new NativePipe(readFd, writeFd, actual > 0 ? actual : capacity);
        }
    }

    /**
     * The end to splice out of.
     *
     * @return the read end's file descriptor.
     */
    public int readFd()
    {
        return readFd;
    }

    /**
     * The end to splice into.
     *
     * @return the write end's file descriptor.
     */
    public int writeFd()
    {
        return writeFd;
    }

    /**
     * What the kernel granted.
     *
     * @return the capacity in bytes.
     */
    public int capacity()
    {
        return capacity;
    }

    /**
     * Closes both ends; a second call does nothing.
     *
     * @param callState the calling thread's call state.
     */
    public void close(final MemorySegment callState)
    {
        if (!closed)
        {
            closed = true;
            LibC.close(callState, readFd);
            LibC.close(callState, writeFd);
        }
    }
}
