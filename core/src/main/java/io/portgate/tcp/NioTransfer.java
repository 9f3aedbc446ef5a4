package io.portgate.tcp;

import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * A direct buffer that bytes are copied through. Readers only fill it when it is empty (backpressure keeps the
 * source unread while bytes are pending), so it never needs compacting.
 */
final class NioTransfer extends Transfer
{
    /** The same memory as {@link #io}, for code that parses or writes headers in place. */
    private final UnsafeBuffer buffer;
    private final ByteBuffer io;
    private int start;
    private int end;

    NioTransfer(final int capacity)
    {
        this.buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(capacity));
        this.io = buffer.byteBuffer();
    }

    @Override
    int readFrom(final SocketChannel source, final int sourceFd)
    {
        io.limit(io.capacity()).position(end);
        try
        {
            final int read = source.read(io);
            if (read > 0)
            {
                end += read;
            }
            return read < 0 ? EOF : read;
        }
        catch (final IOException ex)
        {
            return RESET;
        }
    }

    @Override
    int writeTo(final SocketChannel destination, final int destinationFd)
    {
        io.limit(end).position(start);
        try
        {
            final int written = destination.write(io);
            start += written;
            if (start == end)
            {
                start = 0;
                end = 0;
            }
            return written;
        }
        catch (final IOException ex)
        {
            return RESET;
        }
    }

    @Override
    int pending()
    {
        return end - start;
    }

    @Override
    int capacity()
    {
        return io.capacity();
    }

    @Override
    void free()
    {
        // A direct buffer is freed by its cleaner once unreachable; the budget was credited by the pool already.
        start = 0;
        end = 0;
    }

    UnsafeBuffer buffer()
    {
        return buffer;
    }
}
