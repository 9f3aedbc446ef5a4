package io.portgate.ffm;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Downcalls into the C library (Linux). Each function has one handle and one tiny static wrapper around its
 * {@code invokeExact}: a downcall that captures errno slices the capture segment on every call, and only a call site
 * small enough to inline lets escape analysis remove that allocation.
 *
 * <p>Calls that can fail take a call-state segment from {@link #newCallState()}, made once per calling thread and
 * reused, and return -1 on failure with the error in {@link #errno(MemorySegment)}.
 */
public final class LibC
{
    /** splice(2): move pages instead of copying where possible. */
    public static final int SPLICE_F_MOVE = 1;
    /** splice(2): do not block on the pipe. */
    public static final int SPLICE_F_NONBLOCK = 2;
    /** splice(2): more data follows (like MSG_MORE). */
    public static final int SPLICE_F_MORE = 4;
    /** open(2) flag: non-blocking. */
    public static final int O_NONBLOCK = 0x800;
    /** open(2) flag: close on exec. */
    public static final int O_CLOEXEC = 0x80000;
    /** fcntl(2): set a pipe's capacity. */
    public static final int F_SETPIPE_SZ = 1031;
    /** fcntl(2): read a pipe's capacity. */
    public static final int F_GETPIPE_SZ = 1032;
    /** Interrupted system call. */
    public static final int EINTR = 4;
    /** Try again: nothing to read, or no room to write. */
    public static final int EAGAIN = 11;
    /** Broken pipe: the peer closed. */
    public static final int EPIPE = 32;
    /** Connection reset by peer. */
    public static final int ECONNRESET = 104;
    /** Connection refused: on a connected UDP socket, the peer answered with ICMP port unreachable. */
    public static final int ECONNREFUSED = 111;
    /** Invalid argument: on a send with UDP_SEGMENT, a segment size the route cannot carry. */
    public static final int EINVAL = 22;
    /** I/O error: on a send with UDP_SEGMENT, a device that cannot segment. */
    public static final int EIO = 5;
    /** Message too long. */
    public static final int EMSGSIZE = 90;
    /** recvmsg flag: control data was cut because the buffer for it was too small. */
    public static final int MSG_CTRUNC = 0x8;
    /** recv/send flag: do not block. */
    public static final int MSG_DONTWAIT = 0x40;
    /** recvmsg flag: the datagram was longer than the buffer and was cut. */
    public static final int MSG_TRUNC = 0x20;
    /** Address family IPv4. */
    public static final int AF_INET = 2;
    /** Address family IPv6. */
    public static final int AF_INET6 = 10;
    /** recvmsg flag: read the socket's error queue. */
    public static final int MSG_ERRQUEUE = 0x2000;
    /** setsockopt level of IPv4 options. */
    public static final int SOL_IP = 0;
    /** setsockopt level of IPv6 options. */
    public static final int SOL_IPV6 = 41;
    /** IPv4 option: queue ICMP errors on the socket's error queue too. */
    public static final int IP_RECVERR = 11;
    /** IPv6 option: queue ICMPv6 errors on the socket's error queue too. */
    public static final int IPV6_RECVERR = 25;
    /** IPv4 option and control message: a datagram's arrival address, and on a send the source address to use. */
    public static final int IP_PKTINFO = 8;
    /** IPv6 option: deliver each datagram's arrival address as an {@link #IPV6_PKTINFO} control message. */
    public static final int IPV6_RECVPKTINFO = 49;
    /** IPv6 control message: a datagram's arrival address, and on a send the source address to use. */
    public static final int IPV6_PKTINFO = 50;
    /** setsockopt/cmsg level of UDP options. */
    public static final int SOL_UDP = 17;
    /** setsockopt level of TCP options. */
    public static final int IPPROTO_TCP = 6;
    /** TCP option: send small segments at once (no Nagle); a listening socket's value is inherited on accept. */
    public static final int TCP_NODELAY = 1;
    /** UDP option: segment a large send into datagrams of this size in the kernel (GSO, Linux 4.18). */
    public static final int UDP_SEGMENT = 103;
    /** Socket-level options. */
    public static final int SOL_SOCKET = 1;
    /** The receive buffer size; the kernel doubles what is asked and caps it at {@code net.core.rmem_max}. */
    public static final int SO_RCVBUF = 8;
    /** The receive buffer size past {@code net.core.rmem_max}; needs CAP_NET_ADMIN. */
    public static final int SO_RCVBUFFORCE = 33;
    /** Attach the socket's drop count to every datagram received (a control message of one uint32). */
    public static final int SO_RXQ_OVFL = 40;
    /** The socket's memory counters, {@code SK_MEMINFO_VARS} uint32s; the drop count is the ninth. */
    public static final int SO_MEMINFO = 55;
    /** Index of the drop count among SO_MEMINFO's values ({@code SK_MEMINFO_DROPS}). */
    public static final int SK_MEMINFO_DROPS = 8;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LOOKUP = LINKER.defaultLookup();
    private static final StructLayout CALL_STATE_LAYOUT = Linker.Option.captureStateLayout();
    private static final long ERRNO_OFFSET =
        CALL_STATE_LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    private static final MethodHandle SPLICE = downcall("splice",
        FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), CAPTURE_ERRNO);
    // The same call without errno capture: a capturing downcall allocates whenever escape analysis fails on its call
    // site (profile-dependent), so the hot path calls this one and repeats the call with capture only on failure.
    private static final MethodHandle SPLICE_NO_ERRNO = downcall("splice",
        FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle PIPE2 = downcall("pipe2",
        FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), CAPTURE_ERRNO);
    private static final MethodHandle FCNTL_INT = downcall("fcntl",
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), CAPTURE_ERRNO,
        Linker.Option.firstVariadicArg(2));
    private static final MethodHandle CLOSE = downcall("close",
        FunctionDescriptor.of(JAVA_INT, JAVA_INT), CAPTURE_ERRNO);
    private static final MethodHandle SIGNAL = downcall("signal",
        FunctionDescriptor.of(ADDRESS, JAVA_INT, ADDRESS));
    private static final MethodHandle LISTEN = downcall("listen",
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), CAPTURE_ERRNO);
    private static final MethodHandle RECVMMSG = downcall("recvmmsg",
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS), CAPTURE_ERRNO);
    private static final MethodHandle SENDMMSG = downcall("sendmmsg",
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), CAPTURE_ERRNO);
    private static final MethodHandle SENDMSG = downcall("sendmsg",
        FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT), CAPTURE_ERRNO);
    // The same calls without errno capture, for the datagram hot path. A capturing call slices its capture segment
    // on every call, and whether C2 removes that allocation depends on the profile of the JDK's downcall stub: it
    // does only when the stub's call to SharedUtils.checkNative looks hot. On a busy two-core machine it often does
    // not (measured: 80 B per forwarded ping-pong in one run of four). Callers that need errno after one of these
    // fails repeat the call with the capturing handle, which sees the same error unless the error was the socket's
    // own pending one, and those callers read that from the error queue instead.
    private static final MethodHandle RECVMMSG_NO_ERRNO = downcall("recvmmsg",
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle SENDMMSG_NO_ERRNO = downcall("sendmmsg",
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle SENDMSG_NO_ERRNO = downcall("sendmsg",
        FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle RECVMSG_NO_ERRNO = downcall("recvmsg",
        FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle SETSOCKOPT = downcall("setsockopt",
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), CAPTURE_ERRNO);
    // Read off the hot path (a socket's counters a few times a second): no errno is needed, a failure reads as none.
    private static final MethodHandle GETSOCKOPT_NO_ERRNO = downcall("getsockopt",
        FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle STRERROR = downcall("strerror",
        FunctionDescriptor.of(ADDRESS.withTargetLayout(MemoryLayout.sequenceLayout(1024, ValueLayout.JAVA_BYTE)),
            JAVA_INT));

    private LibC()
    {
    }

    /**
     * A segment for the calling thread to pass to every call of this class; make it once and reuse it.
     *
     * @return a call-state segment, freed when unreachable.
     */
    public static MemorySegment newCallState()
    {
        return Arena.ofAuto().allocate(CALL_STATE_LAYOUT);
    }

    /**
     * A call-state segment from an arena the caller owns, for a loop that frees its native memory when it closes.
     *
     * @param arena the arena.
     * @return a call-state segment.
     */
    public static MemorySegment newCallState(final Arena arena)
    {
        return arena.allocate(CALL_STATE_LAYOUT);
    }

    /**
     * The errno the last failed call left in a call-state segment.
     *
     * @param callState the segment passed to that call.
     * @return the error number.
     */
    public static int errno(final MemorySegment callState)
    {
        return callState.get(JAVA_INT, ERRNO_OFFSET);
    }

    /**
     * splice(2) between two file descriptors, at least one a pipe, without offsets.
     *
     * @param callState the calling thread's call state.
     * @param fdIn      the source.
     * @param fdOut     the destination.
     * @param length    most bytes to move, more than 0 (0 would be read as end of stream).
     * @param flags     {@code SPLICE_F_*}.
     * @return bytes moved, 0 at end of stream, -1 on error.
     */
    public static long splice(
        final MemorySegment callState, final int fdIn, final int fdOut, final long length, final int flags)
    {
        try
        {
            return (long)SPLICE.invokeExact(callState, fdIn, MemorySegment.NULL, fdOut, MemorySegment.NULL, length,
                flags);
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException("splice downcall failed", t);
        }
    }

    /**
     * splice(2) without errno: allocation-free whatever the JIT decides. On -1 the caller repeats the call with
     * {@link #splice(MemorySegment, int, int, long, int)} to learn the error.
     *
     * @param fdIn   the source.
     * @param fdOut  the destination.
     * @param length most bytes to move, more than 0.
     * @param flags  {@code SPLICE_F_*}.
     * @return bytes moved, 0 at end of stream, -1 on error (errno unknown).
     */
    public static long spliceNoErrno(final int fdIn, final int fdOut, final long length, final int flags)
    {
        try
        {
            return (long)SPLICE_NO_ERRNO.invokeExact(fdIn, MemorySegment.NULL, fdOut, MemorySegment.NULL, length,
                flags);
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException("splice downcall failed", t);
        }
    }

    /**
     * pipe2(2).
     *
     * @param callState the calling thread's call state.
     * @param fds       a segment of two ints that receives the read and the write end.
     * @param flags     {@code O_NONBLOCK}, {@code O_CLOEXEC}.
     * @return 0, or -1 on error.
     */
    public static int pipe2(final MemorySegment callState, final MemorySegment fds, final int flags)
    {
        try
        {
            return (int)PIPE2.invokeExact(callState, fds, flags);
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException("pipe2 downcall failed", t);
        }
    }

    /**
     * fcntl(2) with an int argument.
     *
     * @param callState the calling thread's call state.
     * @param fd        the file descriptor.
     * @param command   e.g. {@link #F_SETPIPE_SZ}.
     * @param argument  the command's argument.
     * @return the command's result, or -1 on error.
     */
    public static int fcntl(final MemorySegment callState, final int fd, final int command, final int argument)
    {
        try
        {
            return (int)FCNTL_INT.invokeExact(callState, fd, command, argument);
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException("fcntl downcall failed", t);
        }
    }

    /**
     * close(2).
     *
     * @param callState the calling thread's call state.
     * @param fd        the file descriptor.
     * @return 0, or -1 on error.
     */
    public static int close(final MemorySegment callState, final int fd)
    {
        try
        {
            return (int)CLOSE.invokeExact(callState, fd);
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException("close downcall failed", t);
        }
    }

    /**
     * Gives a signal its default disposition again, as signal(2) with {@code SIG_DFL} does. A process started with
     * a signal ignored (under {@code nohup}, say) keeps it ignored, and the JVM then refuses to handle it; resetting
     * it first lets the JVM take it.
     *
     * @param signal the signal number, e.g. 1 for SIGHUP.
     * @return true when the disposition was set.
     */
    public static boolean defaultSignal(final int signal)
    {
        try
        {
            final MemorySegment previous = (MemorySegment)SIGNAL.invokeExact(signal, MemorySegment.NULL);
            // SIG_ERR is (void*)-1.
            return previous.address() != -1L;
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException("signal downcall failed", t);
        }
    }

    /**
     * listen(2). On a socket that already listens, Linux only changes the backlog: the accept queue and its
     * connections stay.
     *
     * @param callState the calling thread's call state.
     * @param fd        the listening socket.
     * @param backlog   the new backlog.
     * @return 0, or -1 on error with errno in the call state.
     */
    public static int listen(final MemorySegment callState, final int fd, final int backlog)
    {
        try
        {
            return (int)LISTEN.invokeExact(callState, fd, backlog);
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException("listen downcall failed", t);
        }
    }

    /**
     * recvmmsg(2) without a timeout.
     *
     * @param callState the calling thread's call state.
     * @param fd        the socket.
     * @param msgvec    an array of {@code struct mmsghdr}.
     * @param vlen      how many entries may be filled.
     * @param flags     {@code MSG_*}, such as {@link #MSG_DONTWAIT}.
     * @return datagrams received, or -1 on error.
     */
    public static int recvmmsg(
        final MemorySegment callState, final int fd, final MemorySegment msgvec, final int vlen, final int flags)
    {
        try
        {
            return (int)RECVMMSG.invokeExact(callState, fd, msgvec, vlen, flags, MemorySegment.NULL);
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException("recvmmsg downcall failed", t);
        }
    }

    /**
     * sendmmsg(2).
     *
     * @param callState the calling thread's call state.
     * @param fd        the socket.
     * @param msgvec    an array of {@code struct mmsghdr}.
     * @param vlen      how many entries to send.
     * @param flags     {@code MSG_*}, such as {@link #MSG_DONTWAIT}.
     * @return datagrams sent (fewer than {@code vlen} when the next one failed), or -1 when the first failed.
     */
    public static int sendmmsg(
        final MemorySegment callState, final int fd, final MemorySegment msgvec, final int vlen, final int flags)
    {
        try
        {
            return (int)SENDMMSG.invokeExact(callState, fd, msgvec, vlen, flags);
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException("sendmmsg downcall failed", t);
        }
    }

    /**
     * sendmsg(2).
     *
     * @param callState the calling thread's call state.
     * @param fd        the socket.
     * @param msg       a {@code struct msghdr}.
     * @param flags     {@code MSG_*}.
     * @return bytes sent, or -1 on error.
     */
    public static long sendmsg(final MemorySegment callState, final int fd, final MemorySegment msg, final int flags)
    {
        try
        {
            return (long)SENDMSG.invokeExact(callState, fd, msg, flags);
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException("sendmsg downcall failed", t);
        }
    }

    /**
     * recvmmsg(2) without a timeout and without capturing errno: allocation-free whatever the JIT decides.
     *
     * @param fd     the socket.
     * @param msgvec an array of {@code struct mmsghdr}.
     * @param vlen   how many entries may be filled.
     * @param flags  {@code MSG_*}.
     * @return datagrams received, or -1 on error (repeat with the capturing overload to learn which).
     */
    public static int recvmmsg(final int fd, final MemorySegment msgvec, final int vlen, final int flags)
    {
        try
        {
            return (int)RECVMMSG_NO_ERRNO.invokeExact(fd, msgvec, vlen, flags, MemorySegment.NULL);
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException("recvmmsg downcall failed", t);
        }
    }

    /**
     * sendmmsg(2) without capturing errno.
     *
     * @param fd     the socket.
     * @param msgvec an array of {@code struct mmsghdr}.
     * @param vlen   how many entries to send.
     * @param flags  {@code MSG_*}.
     * @return datagrams sent, or -1 when the first failed (repeat with the capturing overload to learn why).
     */
    public static int sendmmsg(final int fd, final MemorySegment msgvec, final int vlen, final int flags)
    {
        try
        {
            return (int)SENDMMSG_NO_ERRNO.invokeExact(fd, msgvec, vlen, flags);
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException("sendmmsg downcall failed", t);
        }
    }

    /**
     * sendmsg(2) without capturing errno.
     *
     * @param fd    the socket.
     * @param msg   a {@code struct msghdr}.
     * @param flags {@code MSG_*}.
     * @return bytes sent, or -1 on error.
     */
    public static long sendmsg(final int fd, final MemorySegment msg, final int flags)
    {
        try
        {
            return (long)SENDMSG_NO_ERRNO.invokeExact(fd, msg, flags);
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException("sendmsg downcall failed", t);
        }
    }

    /**
     * recvmsg(2) without capturing errno, used to read a socket's error queue.
     *
     * @param fd    the socket.
     * @param msg   a {@code struct msghdr}.
     * @param flags {@code MSG_*}, such as {@link #MSG_ERRQUEUE}.
     * @return bytes received, or -1 on error (with {@link #MSG_ERRQUEUE}: the queue was empty).
     */
    public static long recvmsg(final int fd, final MemorySegment msg, final int flags)
    {
        try
        {
            return (long)RECVMSG_NO_ERRNO.invokeExact(fd, msg, flags);
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException("recvmsg downcall failed", t);
        }
    }

    /**
     * setsockopt(2) with an option value held in a segment.
     *
     * @param callState the calling thread's call state.
     * @param fd        the socket.
     * @param level     e.g. {@link #SOL_UDP}.
     * @param option    e.g. {@link #UDP_SEGMENT}.
     * @param value     the value, such as one int.
     * @return 0, or -1 on error.
     */
    public static int setsockopt(
        final MemorySegment callState, final int fd, final int level, final int option, final MemorySegment value)
    {
        try
        {
            return (int)SETSOCKOPT.invokeExact(callState, fd, level, option, value, (int)value.byteSize());
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException("setsockopt downcall failed", t);
        }
    }

    /**
     * getsockopt(2) into a segment, without capturing errno; allocation-free.
     *
     * @param fd     the socket.
     * @param level  e.g. {@link #SOL_SOCKET}.
     * @param option e.g. {@link #SO_MEMINFO}.
     * @param value  where the value goes.
     * @param length one int holding the room in {@code value} on the way in, the bytes stored on the way out.
     * @return 0, or -1 on error.
     */
    public static int getsockopt(final int fd, final int level, final int option, final MemorySegment value,
        final MemorySegment length)
    {
        try
        {
            return (int)GETSOCKOPT_NO_ERRNO.invokeExact(fd, level, option, value, length);
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException("getsockopt downcall failed", t);
        }
    }

    /**
     * The C library's text for an error number, for messages only.
     *
     * @param errno the error number.
     * @return e.g. "Connection reset by peer".
     */
    public static String strerror(final int errno)
    {
        try
        {
            final MemorySegment text = (MemorySegment)STRERROR.invokeExact(errno);
            return text.getString(0);
        }
        catch (final Throwable t)
        {
            return "errno " + errno;
        }
    }

    /**
     * The error of a failed call, for a probe's message.
     *
     * @param callState the call state the call captured its errno in.
     * @param result    what the call returned.
     * @return {@code " (Connection refused)"} for a negative result, else nothing.
     */
    public static String describe(final MemorySegment callState, final long result)
    {
        return result < 0 ? " (" + strerror(errno(callState)) + ")" : "";
    }

    private static MethodHandle downcall(
        final String name, final FunctionDescriptor descriptor, final Linker.Option... options)
    {
        final MemorySegment symbol = LOOKUP.find(name)
            .orElseThrow(() -> new UnsatisfiedLinkError("the C library has no " + name));
        return LINKER.downcallHandle(symbol, descriptor, options);
    }
}
