package io.portgate.ffm;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.channels.SelectableChannel;

/**
 * Reads the file descriptor behind an NIO channel, which the JDK offers no public way to do. It needs
 * {@code --add-exports java.base/sun.nio.ch=ALL-UNNAMED}, and native access for the downcalls that use it
 * ({@code --enable-native-access=ALL-UNNAMED}); without either {@link #isAvailable()} is false and callers stay on
 * plain NIO (on the module path both name {@code io.portgate.core}).
 */
public final class NativeFd
{
    private static final MethodHandle[] GET_FD_VAL = new MethodHandle[1];
    private static final FeatureProbe PROBE = FeatureProbe.run("file descriptor",
        "NIO file descriptors cannot be read", "plain NIO", () ->
        {
            final Module module = NativeFd.class.getModule();
            final String target = module.isNamed() ? module.getName() : "ALL-UNNAMED";
            // Without native access a downcall prints the JDK's warning, or fails under --illegal-native-access=deny:
            // every fast path needs both this and the file descriptor, so both are checked here, once.
            FeatureProbe.require(module.isNativeAccessEnabled(), "FFM downcalls are not enabled for portgate " +
                "(start the JVM with --enable-native-access=" + target + ")");
            try
            {
                final Class<?> selChImpl = Class.forName("sun.nio.ch.SelChImpl");
                GET_FD_VAL[0] = MethodHandles.lookup()
                    .findVirtual(selChImpl, "getFDVal", MethodType.methodType(int.class))
                    .asType(MethodType.methodType(int.class, SelectableChannel.class));
            }
            catch (final ReflectiveOperationException | RuntimeException | LinkageError ex)
            {
                throw new FeatureProbe.Unavailable("cannot read NIO file descriptors (start the JVM with " +
                    "--add-exports java.base/sun.nio.ch=" + target + "): " + ex, ex);
            }
        });
    private static final MethodHandle FD_VAL = GET_FD_VAL[0];

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
        return PROBE.isAvailable();
    }

    /**
     * Why file descriptors cannot be read.
     *
     * @return the cause, or null when they can.
     */
    public static Throwable unavailabilityCause()
    {
        return PROBE.unavailabilityCause();
    }

    /**
     * For another probe that needs file descriptors: fails it with this one's reason.
     *
     * @throws FeatureProbe.Unavailable when file descriptors cannot be read.
     */
    static void requireAvailable() throws FeatureProbe.Unavailable
    {
        if (!PROBE.isAvailable())
        {
            throw new FeatureProbe.Unavailable(PROBE.reason(), PROBE.unavailabilityCause());
        }
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
        if (FD_VAL == null)
        {
            throw new IllegalStateException(PROBE.reason(), PROBE.unavailabilityCause());
        }
        try
        {
            return (int)FD_VAL.invokeExact(channel);
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException("cannot read the file descriptor of " + channel, t);
        }
    }
}
