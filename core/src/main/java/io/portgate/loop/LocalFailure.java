package io.portgate.loop;

/**
 * The balancer's own failures, told apart from its targets': out of file descriptors (the process's or the system's),
 * out of socket buffers or memory, or out of source ports. Such a failure says nothing about the target a socket was
 * meant for, so it is counted as the balancer's, by reason, and never charged to a target's health (issue 15: a
 * starved balancer once marked both healthy targets of a pool down).
 *
 * <p>The JDK reports these as {@link java.io.IOException}s whose message is the C library's text for the error number
 * ({@code strerror}), sometimes behind a prefix, sometimes as the cause of another exception: {@link #classify}
 * reads the messages of an exception and its causes. A transport that sees the error number itself (the Panama
 * layer) uses {@link #ofErrno}. Both are allocation-free.
 */
public final class LocalFailure
{
    /** Not a local failure: the target's, or an unexpected one. */
    public static final int NONE = -1;
    /** EMFILE: the process has no file descriptor left. */
    public static final int EMFILE = 0;
    /** ENFILE: the system has no file descriptor left. */
    public static final int ENFILE = 1;
    /** ENOBUFS: no socket buffer space. */
    public static final int ENOBUFS = 2;
    /** ENOMEM: the kernel could not allocate memory for the socket. */
    public static final int ENOMEM = 3;
    /** EADDRNOTAVAIL: no free source port (or address) to connect from. */
    public static final int EADDRNOTAVAIL = 4;
    /** How many reasons there are; reasons are 0 to COUNT - 1. */
    public static final int COUNT = 5;

    /** Linux error numbers of the reasons, by reason. */
    private static final int[] ERRNOS = {24, 23, 105, 12, 99};
    private static final String[] NAMES = {"emfile", "enfile", "enobufs", "enomem", "eaddrnotavail"};
    /**
     * glibc's strerror texts, by reason. ENFILE's text starts with EMFILE's, so it is tested first (see
     * {@link #ofMessage}).
     */
    private static final String[] TEXTS = {"Too many open files", "Too many open files in system",
        "No buffer space available", "Cannot allocate memory", "Cannot assign requested address"};
    /** Causes followed at most, so a cyclic cause chain cannot loop. */
    private static final int MAX_CAUSES = 8;

    private LocalFailure()
    {
    }

    /**
     * Which local failure an exception reports, from its message or a cause's.
     *
     * @param error what a socket call threw.
     * @return the reason, or {@link #NONE}.
     */
    public static int classify(final Throwable error)
    {
        Throwable t = error;
        for (int i = 0; t != null && i < MAX_CAUSES; i++)
        {
            final int reason = ofMessage(t.getMessage());
            if (reason != NONE)
            {
                return reason;
            }
            t = t.getCause();
        }
        return NONE;
    }

    /**
     * Which local failure an exception's message names.
     *
     * @param message the message, or null.
     * @return the reason, or {@link #NONE}.
     */
    public static int ofMessage(final String message)
    {
        if (message == null)
        {
            return NONE;
        }
        if (message.contains(TEXTS[ENFILE]))
        {
            return ENFILE;
        }
        for (int reason = 0; reason < COUNT; reason++)
        {
            if (reason != ENFILE && message.contains(TEXTS[reason]))
            {
                return reason;
            }
        }
        return NONE;
    }

    /**
     * Which local failure an error number is.
     *
     * @param errno a Linux error number.
     * @return the reason, or {@link #NONE}.
     */
    public static int ofErrno(final int errno)
    {
        for (int reason = 0; reason < COUNT; reason++)
        {
            if (ERRNOS[reason] == errno)
            {
                return reason;
            }
        }
        return NONE;
    }

    /**
     * Whether a reason is running out of file descriptors, of the process or of the system.
     *
     * @param reason a reason.
     * @return true for {@link #EMFILE} and {@link #ENFILE}.
     */
    public static boolean outOfFiles(final int reason)
    {
        return reason == EMFILE || reason == ENFILE;
    }

    /**
     * A reason's name as the {@code reason} label of {@code portgate_local_failures_total} carries it.
     *
     * @param reason a reason.
     * @return e.g. "emfile".
     */
    public static String name(final int reason)
    {
        return NAMES[reason];
    }

    /**
     * The C library's text of a reason.
     *
     * @param reason a reason.
     * @return e.g. "Too many open files".
     */
    public static String text(final int reason)
    {
        return TEXTS[reason];
    }
}
