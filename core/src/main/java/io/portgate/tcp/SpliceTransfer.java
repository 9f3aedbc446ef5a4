package io.portgate.tcp;

import io.portgate.ffm.LibC;
import io.portgate.ffm.NativePipe;

import java.lang.foreign.MemorySegment;
import java.nio.channels.SocketChannel;

/**
 * A kernel pipe that bytes are spliced through, socket to pipe to socket, without entering user space.
 */
final class SpliceTransfer extends Transfer
{
    private static final int FLAGS = LibC.SPLICE_F_MOVE | LibC.SPLICE_F_NONBLOCK;

    private final MemorySegment callState;
    private final NativePipe pipe;
    private int pending;

    SpliceTransfer(final MemorySegment callState, final int capacity)
    {
        this.callState = callState;
        this.pipe = NativePipe.open(callState, capacity);
    }

    @Override
    int readFrom(final SocketChannel source, final int sourceFd)
    {
        final int room = pipe.capacity() - pending;
        if (room <= 0)
        {
            return 0;
        }
        long moved = LibC.spliceNoErrno(sourceFd, pipe.writeFd(), room, FLAGS);
        boolean failedFirst = false;
        if (moved < 0)
        {
            // Rare (a spurious wake-up, a full pipe, or a reset): ask again, this time learning errno.
            failedFirst = true;
            moved = LibC.splice(callState, sourceFd, pipe.writeFd(), room, FLAGS);
        }
        if (moved > 0)
        {
            pending += (int)moved;
            return (int)moved;
        }
        if (moved == 0)
        {
            // A socket error is reported once: when the first call consumed a reset, the repeat sees end of stream.
            // Passing that on as a reset errs on the side of telling the other peer something went wrong.
            return failedFirst ? RESET : EOF;
        }
        return isRetry(LibC.errno(callState)) ? 0 : RESET;
    }

    @Override
    int writeTo(final SocketChannel destination, final int destinationFd)
    {
        long moved = LibC.spliceNoErrno(pipe.readFd(), destinationFd, pending, FLAGS);
        if (moved < 0)
        {
            moved = LibC.splice(callState, pipe.readFd(), destinationFd, pending, FLAGS);
        }
        if (moved >= 0)
        {
            pending -= (int)moved;
            return (int)moved;
        }
        return isRetry(LibC.errno(callState)) ? 0 : RESET;
    }

    @Override
    int pending()
    {
        return pending;
    }

    @Override
    int capacity()
    {
        return pipe.capacity();
    }

    @Override
    void free()
    {
        pipe.close(callState);
    }

    // EAGAIN from the socket means nothing to read or no room to write; from the pipe (possible even below its
    // nominal capacity, as a pipe holds a fixed number of page slots) it means full. Both just wait for readiness.
    private static boolean isRetry(final int errno)
    {
        return errno == LibC.EAGAIN || errno == LibC.EINTR;
    }
}
