package io.portgate.bench.jmh;

/**
 * The JVM flags every benchmark fork needs, as compile-time constants so that {@code @Fork(jvmArgsPrepend = ...)}
 * can carry them: annotation values cannot be read from the POM at run time, and a fork started with
 * {@code -cp benchmarks.jar} ignores the jar manifest's {@code Add-Exports}. {@code JvmFlagsTest} checks that they
 * are exactly the parent POM's {@code portgate.jvm.flags}, the one place they are set.
 */
public final class JvmFlags
{
    /** Agrona 2.x reaches {@code jdk.internal.misc.Unsafe}. */
    public static final String ADD_EXPORTS = "--add-exports";
    /** The package Agrona needs. */
    public static final String MISC = "java.base/jdk.internal.misc=ALL-UNNAMED";
    /** The package the Panama fast paths read a channel's file descriptor through. */
    public static final String NIO_CH = "java.base/sun.nio.ch=ALL-UNNAMED";
    /** FFM downcalls without the restricted-method warning. */
    public static final String NATIVE_ACCESS = "--enable-native-access=ALL-UNNAMED";
    /** JCTools' and JMH's own {@code sun.misc.Unsafe} use, without the warning. */
    public static final String UNSAFE_MEMORY_ACCESS = "--sun-misc-unsafe-memory-access=allow";
    /** Heap for the forks: fixed, so a benchmark's memory is the same in every run. */
    public static final String HEAP_MIN = "-Xms1g";
    /** See {@link #HEAP_MIN}. */
    public static final String HEAP_MAX = "-Xmx1g";

    private JvmFlags()
    {
    }

    /**
     * The runtime flags in the order the parent POM lists them (without the heap settings).
     *
     * @return a new array.
     */
    public static String[] runtime()
    {
        return new String[]{ ADD_EXPORTS, MISC, ADD_EXPORTS, NIO_CH, NATIVE_ACCESS, UNSAFE_MEMORY_ACCESS };
    }
}
