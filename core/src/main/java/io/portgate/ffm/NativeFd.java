package io.portgate.ffm;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.channels.SelectableChannel;

/**
 * Reads the file descriptor behind an NIO channel, which the JDK offers no public way to do. It needs
 * {@code --add-exports java.base/sun.nio.ch=ALL-UNNAMED}; without it {@link #isAvailable()} is false and callers
 * stay on plain NIO.
 */
public final class NativeFd
{
    private static final MethodHandle GET_FD_VAL;
    private static final String UNAVAILABILITY_CAUSE;

    static
    {
        MethodHandle handle = null;
        String cause = null;
        try
        {
            final Class<?> selChImpl = Class.forName("sun.nio.ch.SelChImpl");
            handle = MethodHandles.lookup()
                .findVirtual(selChImpl, "getFDVal", MethodType.methodType(int.class))
                .asType(MethodType.methodType(int.class, SelectableChannel.class));
        }
        catch (final ReflectiveOperationException | RuntimeException | LinkageError ex)
        {
            cause = "cannot read NIO file descriptors (start the JVM with " +
                "--add-exports java.base/sun.nio.ch=ALL-UNNAMED): " + ex;
        }
        GET_FD_VAL = handle;
        UNAVAILABILITY_CAUSE = cause;
    }

    private NativeFd()
    {
    }

    /**
     * Whether file descriptors can be read.
     *
     * @return true when the JDK internals are reachable.
     */
    public static boolean isAvailable()
    {
        return GET_FD_VAL != null;
    }

    /**
     * Why file descriptors cannot be read.
     *
     * @return the reason, or null when they can.
     */
    public static String unavailabilityCause()
    {
        return UNAVAILABILITY_CAUSE;
    }

    /**
     * The file descriptor of a channel of the JDK's own implementation.
     *
     * @param channel an open socket, server socket, datagram or pipe channel.
     * @return its file descriptor, or -1 when closed.
     * @throws IllegalStateException when {@link #isAvailable()} is false or the channel is not the JDK's.
     */
    public static int of(final SelectableChannel channel)
    {
        if (GET_FD_VAL == null)
        {
            throw new IllegalStateException(UNAVAILABILITY_CAUSE);
        }
        try
        {
            return (int)GET_FD_VAL.invokeExact(channel);
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException("cannot read the file descriptor of " + channel, t);
        }
    }
}
