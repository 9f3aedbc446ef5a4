package io.portgate.ffm;

import io.portgate.config.FastPath;

/**
 * Whether one fast path works here, found out once by a probe that does the real thing (moves real bytes, sends real
 * datagrams) so that a kernel or sandbox that has the call but not for this use is caught too. As Netty's
 * {@code Epoll.isAvailable()} and {@code unavailabilityCause()}: the cause is kept as a {@link Throwable}, the failure
 * itself where there was one. {@link #resolve} turns a {@code fast-paths} setting into a decision, in one place for
 * every fast path.
 */
public final class FeatureProbe
{
    private static final System.Logger LOG = System.getLogger("io.portgate");

    /** What a probe does: returns when the feature works, throws (an {@link Unavailable} with the reason) when not. */
    @FunctionalInterface
    public interface Check
    {
        /**
         * Tries the feature.
         *
         * @throws Exception why it does not work.
         */
        void run() throws Exception;
    }

    /** A probe's own verdict that the feature does not work here, with the reason in words. */
    public static final class Unavailable extends Exception
    {
        private static final long serialVersionUID = 1L;

        /**
         * A reason.
         *
         * @param reason what does not work, e.g. {@code splice(2) is Linux only}.
         */
        public Unavailable(final String reason)
        {
            super(reason);
        }

        /**
         * A reason that comes from another probe.
         *
         * @param reason what does not work.
         * @param cause  that probe's cause.
         */
        public Unavailable(final String reason, final Throwable cause)
        {
            super(reason, cause);
        }
    }

    private final String unavailable;
    private final String fallback;
    private final Throwable cause;

    private FeatureProbe(final String unavailable, final String fallback, final Throwable cause)
    {
        this.unavailable = unavailable;
        this.fallback = fallback;
        this.cause = cause;
    }

    /**
     * Runs a probe now.
     *
     * @param name        what is probed, for a failure the probe did not foresee ({@code the splice probe failed}).
     * @param unavailable the words for it not working, e.g. {@code splice(2) does not work here}.
     * @param fallback    what is done without it, e.g. {@code copying through NIO buffers}.
     * @param check       the probe.
     * @return the verdict.
     */
    public static FeatureProbe run(final String name, final String unavailable, final String fallback,
        final Check check)
    {
        Throwable cause = null;
        try
        {
            check.run();
        }
        catch (final Unavailable ex)
        {
            cause = ex;
        }
        catch (final Exception | LinkageError ex)
        {
            cause = new Unavailable("the " + name + " probe failed: " + ex, ex);
        }
        return new FeatureProbe(unavailable, fallback, cause);
    }

    /**
     * Throws {@link Unavailable} when a condition does not hold, for probes written as a list of requirements.
     *
     * @param holds  the condition.
     * @param reason what is wrong when it does not.
     * @throws Unavailable when it does not hold.
     */
    public static void require(final boolean holds, final String reason) throws Unavailable
    {
        if (!holds)
        {
            throw new Unavailable(reason);
        }
    }

    /**
     * Requires Linux, the only system whose calls the fast paths use; checked before the native layer is touched.
     *
     * @param call what needs it, e.g. {@code splice(2) is}.
     * @throws Unavailable elsewhere.
     */
    public static void requireLinux(final String call) throws Unavailable
    {
        require(System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux"),
            call + " Linux only (this is " + System.getProperty("os.name") + ")");
    }

    /**
     * Whether the feature works here.
     *
     * @return true when the probe succeeded.
     */
    public boolean isAvailable()
    {
        return cause == null;
    }

    /**
     * Why the feature does not work here.
     *
     * @return the cause, or null when it works.
     */
    public Throwable unavailabilityCause()
    {
        return cause;
    }

    /**
     * Why the feature does not work here, in words.
     *
     * @return the reason, or null when it works.
     */
    public String reason()
    {
        return cause == null ? null : cause.getMessage();
    }

    /**
     * Decides whether to use the feature: {@code off} never, {@code on} always (or refuses to start where it does not
     * work), {@code auto} where it works, saying once in the log what is done instead where it does not.
     *
     * @param setting the setting.
     * @param name    the setting's name, e.g. {@code fast-paths.splice}.
     * @return true to use the fast path.
     * @throws IllegalStateException when {@code on} but it does not work here; the message says why and what to set.
     */
    public boolean resolve(final FastPath setting, final String name)
    {
        return switch (setting)
        {
            case OFF -> false;
            case ON ->
            {
                if (cause != null)
                {
                    throw new IllegalStateException(name + ": on, but " + unavailable + ": " + reason() + "; set " +
                        name + ": auto or off");
                }
                yield true;
            }
            case AUTO ->
            {
                if (cause != null)
                {
                    LOG.log(System.Logger.Level.INFO, "{0}: auto: {1} because {2}", name, fallback, reason());
                }
                yield cause == null;
            }
        };
    }
}
