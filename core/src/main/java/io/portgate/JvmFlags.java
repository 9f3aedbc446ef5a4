package io.portgate;

import java.util.ArrayList;
import java.util.List;

/**
 * The JVM flags the library needs, and which of them this JVM was started with. {@link PortgateContext#conclude()}
 * checks them once at start: a missing flag that a fast path needs turns the fast path off (plain NIO does the work)
 * and is named in one log line ({@link System.Logger} {@code io.portgate}); the one flag the library cannot do
 * without fails the start with a message naming it, instead of an {@link IllegalAccessError} deep inside.
 *
 * <p>On the class path the flags name {@code ALL-UNNAMED}; on the module path they name the module that needs them
 * ({@code io.portgate.core}, or {@code org.agrona} for Agrona's own export). {@link #flags()} gives each exactly as
 * this JVM needs it, and the README's "Embedding" section lists them for {@code java}, Maven Surefire and Gradle.
 */
public final class JvmFlags
{
    private static final System.Logger LOG = System.getLogger("io.portgate");

    /**
     * One flag.
     *
     * @param option    the flag as the {@code java} command line takes it, for this JVM's layout (class path or
     *                  module path).
     * @param present   whether this JVM has it.
     * @param required  whether the library cannot run without it.
     * @param neededFor what needs it.
     * @param without   what happens without it.
     */
    public record Flag(String option, boolean present, boolean required, String neededFor, String without)
    {
    }

    private final List<Flag> flags;

    private JvmFlags(final List<Flag> flags)
    {
        this.flags = List.copyOf(flags);
    }

    /**
     * Checks this JVM's flags. Cheap; reads the module system's state only.
     *
     * @return the flags, each with whether it is present.
     */
    public static JvmFlags check()
    {
        final Module core = JvmFlags.class.getModule();
        final Module agrona = agronaModule();
        final Module base = Object.class.getModule();
        final List<Flag> flags = new ArrayList<>();
        flags.add(new Flag("--add-exports java.base/jdk.internal.misc=" + target(agrona),
            base.isExported("jdk.internal.misc", agrona), true,
            "Agrona's off-heap buffers, counters and queues (jdk.internal.misc.Unsafe)",
            "the balancer cannot start: Agrona throws IllegalAccessError on its first buffer"));
        flags.add(new Flag("--enable-native-access=" + target(core), core.isNativeAccessEnabled(), false,
            "the Panama fast paths: splice(2) for TCP, recvmmsg/sendmmsg and UDP_SEGMENT for UDP",
            "they are off and plain NIO moves the bytes (fast-paths: on fails the start)"));
        flags.add(new Flag("--add-exports java.base/sun.nio.ch=" + target(core),
            base.isExported("sun.nio.ch", core), false,
            "reading an NIO channel's file descriptor, which every Panama fast path needs",
            "the fast paths are off and plain NIO moves the bytes (fast-paths: on fails the start)"));
        return new JvmFlags(flags);
    }

    /**
     * Every flag the library uses, present or not.
     *
     * @return every flag the library uses, present or not.
     */
    public List<Flag> flags()
    {
        return flags;
    }

    /**
     * The flags this JVM lacks.
     *
     * @return the flags this JVM lacks.
     */
    public List<Flag> missing()
    {
        return flags.stream().filter(f -> !f.present()).toList();
    }

    /**
     * Whether every flag is present, so every fast path may run.
     *
     * @return whether every flag is present, so every fast path may run.
     */
    public boolean allPresent()
    {
        return missing().isEmpty();
    }

    /**
     * The flags this JVM lacks, as one command-line fragment to add.
     *
     * @return e.g. {@code --enable-native-access=ALL-UNNAMED}; empty when none is missing.
     */
    public String missingOptions()
    {
        return String.join(" ", missing().stream().map(Flag::option).toList());
    }

    /**
     * Fails when a flag the library cannot run without is missing, and logs, once per call, each missing flag a fast
     * path needs with what it would enable.
     *
     * @throws IllegalStateException naming the flag to add.
     */
    void logMissing()
    {
        for (final Flag flag : missing())
        {
            if (flag.required())
            {
                throw new IllegalStateException("portgate needs the JVM flag " + flag.option() + " for " +
                    flag.neededFor() + "; start java with it (README, \"Embedding\", lists every flag for java, " +
                    "Maven Surefire and Gradle)");
            }
            LOG.log(System.Logger.Level.INFO, "JVM flag {0} is missing: {1}; without it {2}", flag.option(),
                flag.neededFor(), flag.without());
        }
    }


    private static Module agronaModule()
    {
        try
        {
            return Class.forName("org.agrona.BufferUtil", false, JvmFlags.class.getClassLoader()).getModule();
        }
        catch (final ClassNotFoundException ex)
        {
            return JvmFlags.class.getModule();
        }
    }

    private static String target(final Module module)
    {
        return module.isNamed() ? module.getName() : "ALL-UNNAMED";
    }
}
