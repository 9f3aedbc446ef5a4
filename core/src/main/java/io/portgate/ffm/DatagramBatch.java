package io.portgate.ffm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static io.portgate.ffm.MsgStructs.*;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Native memory for moving many datagrams per system call: an array of {@code struct mmsghdr} for recvmmsg(2), each
 * entry with its own data slot and source address, and a second array for sendmmsg(2) whose entries point at received
 * slots, so a datagram is forwarded without being copied. A run of equal-sized datagrams to one destination can
 * instead be sent with one sendmsg(2) carrying a {@code UDP_SEGMENT} control message (GSO), which takes one copy into
 * a staging area since the segments must lie back to back.
 *
 * <p>Each received entry has room for control messages too: on a socket asked for them ({@link
 * #receiveArrivalAddresses}), the kernel says which local address each datagram was sent to, and sends can name the
 * source address to leave from ({@link #source4}, {@link #source6}), so a socket bound to the wildcard answers a
 * client from the address that client sent to.
 *
 * <p>Everything is allocated once from the owner's arena and reused; no call allocates. Linux on a 64-bit ABI only;
 * {@link UdpBatching#probe()} checks that the layouts below match the running kernel by moving real datagrams.
 * One thread owns a batch.
 */
public final class DatagramBatch
{
    /** Most segments one GSO send may carry (the kernel's UDP_MAX_SEGMENTS was 64 before Linux 5.5). */
    public static final int MAX_SEGMENTS = 64;
    /** Most payload bytes one GSO send may carry: the length field of one IPv4 UDP datagram. */
    public static final int MAX_SEGMENTED_BYTES = 65_507;


    private final int capacity;
    private final int slotSize;
    private final MemorySegment recvVec;
    private final MemorySegment recvIov;
    private final MemorySegment names;
    private final MemorySegment receiveControl;
    private final MemorySegment data;
    private final MemorySegment sendVec;
    private final MemorySegment sendIov;
    private final MemorySegment destination;
    private final MemorySegment sourceControl;
    private final MemorySegment segmentedMsg;
    private final MemorySegment segmentedIov;
    private final MemorySegment segmentControl;
    private final MemorySegment staging;
    private final MemorySegment errorMsg;
    private final MemorySegment errorControl;
    private final MemorySegment scratchInt;
    private final long dataBase;
    private final long destinationAddress;
    private int destinationLength;
    private long sourceControlLength;
    private int receiveLimit = -1;
    private int arrivalInterface;
    private int arrivalAddress4;
    private long arrivalAddress6High;
    private long arrivalAddress6Low;

    /**
     * Allocates a batch.
     *
     * @param arena    the owner's arena; the batch lives as long as it.
     * @param capacity datagrams per call.
     * @param slotSize bytes per received datagram slot, at least the largest datagram to receive plus one so that an
     *                 oversized one shows.
     */
    public DatagramBatch(final Arena arena, final int capacity, final int slotSize)
    {
        if (ADDRESS.byteSize() != Long.BYTES)
        {
            throw new IllegalStateException("datagram batches need a 64-bit ABI");
        }
        this.capacity = capacity;
        this.slotSize = slotSize;
        recvVec = arena.allocate(MMSGHDR_SIZE * capacity, Long.BYTES);
        recvIov = arena.allocate(IOVEC_SIZE * capacity, Long.BYTES);
        names = arena.allocate((long)NAME_SIZE * capacity, Long.BYTES);
        receiveControl = arena.allocate(RECEIVE_CONTROL_SIZE * capacity, Long.BYTES);
        data = arena.allocate((long)slotSize * capacity, Long.BYTES);
        sendVec = arena.allocate(MMSGHDR_SIZE * capacity, Long.BYTES);
        sendIov = arena.allocate(IOVEC_SIZE * capacity, Long.BYTES);
        destination = arena.allocate(NAME_SIZE, Long.BYTES);
        sourceControl = arena.allocate(PKTINFO6_CMSG_SPACE, Long.BYTES);
        segmentedMsg = arena.allocate(MSGHDR_SIZE, Long.BYTES);
        segmentedIov = arena.allocate(IOVEC_SIZE, Long.BYTES);
        segmentControl = arena.allocate(SEGMENT_CMSG_SPACE + PKTINFO6_CMSG_SPACE, Long.BYTES);
        staging = arena.allocate(MAX_SEGMENTED_BYTES, Long.BYTES);
        errorMsg = arena.allocate(MSGHDR_SIZE, Long.BYTES);
        errorControl = arena.allocate(ERROR_CONTROL_SIZE, Long.BYTES);
        scratchInt = arena.allocate(JAVA_INT);
        final MemorySegment errorIov = arena.allocate(IOVEC_SIZE, Long.BYTES);
        errorMsg.set(JAVA_LONG, MSG_IOV, errorIov.address());
        errorMsg.set(JAVA_LONG, MSG_IOVLEN, 1);
        errorMsg.set(JAVA_LONG, MSG_CONTROL, errorControl.address());
        dataBase = data.address();
        destinationAddress = destination.address();
        for (int i = 0; i < capacity; i++)
        {
            final long entry = MMSGHDR_SIZE * i;
            final long iov = IOVEC_SIZE * i;
            recvIov.set(JAVA_LONG, iov + IOV_BASE, dataBase + (long)slotSize * i);
            recvVec.set(JAVA_LONG, entry + MSG_NAME, names.address() + (long)NAME_SIZE * i);
            recvVec.set(JAVA_LONG, entry + MSG_IOV, recvIov.address() + iov);
            recvVec.set(JAVA_LONG, entry + MSG_IOVLEN, 1);
            recvVec.set(JAVA_LONG, entry + MSG_CONTROL, receiveControl.address() + RECEIVE_CONTROL_SIZE * i);
            sendVec.set(JAVA_LONG, entry + MSG_IOV, sendIov.address() + iov);
            sendVec.set(JAVA_LONG, entry + MSG_IOVLEN, 1);
        }
        segmentedIov.set(JAVA_LONG, IOV_BASE, staging.address());
        segmentedMsg.set(JAVA_LONG, MSG_IOV, segmentedIov.address());
        segmentedMsg.set(JAVA_LONG, MSG_IOVLEN, 1);
        segmentedMsg.set(JAVA_LONG, MSG_CONTROL, segmentControl.address());
        segmentedMsg.set(JAVA_LONG, MSG_CONTROLLEN, SEGMENT_CMSG_SPACE);
        segmentControl.set(JAVA_LONG, CMSG_LEN, SEGMENT_CMSG_LEN);
        segmentControl.set(JAVA_INT, CMSG_LEVEL, LibC.SOL_UDP);
        segmentControl.set(JAVA_INT, CMSG_TYPE, LibC.UDP_SEGMENT);
    }

    /** @return datagrams per call. */
    public int capacity()
    {
        return capacity;
    }

    /** @return bytes per datagram slot. */
    public int slotSize()
    {
        return slotSize;
    }

    /**
     * Receives up to {@link #capacity()} datagrams without blocking, allocation-free.
     *
     * @param fd    the socket.
     * @param limit most bytes taken of each datagram, at most {@link #slotSize()}; a longer one is cut, and
     *              {@link #truncated(int)} says so.
     * @return datagrams received, or -1 on error; errno is not kept, repeat with the capturing overload for it.
     */
    public int receive(final int fd, final int limit)
    {
        prepareReceive(limit);
        return LibC.recvmmsg(fd, recvVec, capacity, LibC.MSG_DONTWAIT);
    }

    /**
     * Receives up to {@link #capacity()} datagrams without blocking, keeping errno.
     *
     * @param callState the calling thread's call state.
     * @param fd        the socket.
     * @param limit     most bytes taken of each datagram, at most {@link #slotSize()}.
     * @return datagrams received, or -1 with the error in {@link LibC#errno(MemorySegment)} ({@link LibC#EAGAIN}
     * when there was none).
     */
    public int receive(final MemorySegment callState, final int fd, final int limit)
    {
        prepareReceive(limit);
        return LibC.recvmmsg(callState, fd, recvVec, capacity, LibC.MSG_DONTWAIT);
    }

    private void prepareReceive(final int limit)
    {
        if (limit != receiveLimit)
        {
            for (int i = 0; i < capacity; i++)
            {
                recvIov.set(JAVA_LONG, IOVEC_SIZE * i + IOV_LEN, limit);
            }
            receiveLimit = limit;
        }
        for (int i = 0; i < capacity; i++)
        {
            // The kernel overwrites the name and control lengths with the lengths of what it stored.
            recvVec.set(JAVA_INT, MMSGHDR_SIZE * i + MSG_NAMELEN, NAME_SIZE);
            recvVec.set(JAVA_LONG, MMSGHDR_SIZE * i + MSG_CONTROLLEN, RECEIVE_CONTROL_SIZE);
        }
    }

    /**
     * The length of a received datagram.
     *
     * @param slot the entry.
     * @return bytes stored in its slot.
     */
    public int length(final int slot)
    {
        return recvVec.get(JAVA_INT, MMSGHDR_SIZE * slot + MSG_LEN);
    }

    /**
     * Sets a slot's length, for filling a slot to send by hand.
     *
     * @param slot   the entry.
     * @param length bytes in its slot.
     */
    public void length(final int slot, final int length)
    {
        recvVec.set(JAVA_INT, MMSGHDR_SIZE * slot + MSG_LEN, length);
    }

    /**
     * Whether a received datagram was longer than the limit and was cut.
     *
     * @param slot the entry.
     * @return true when MSG_TRUNC was reported.
     */
    public boolean truncated(final int slot)
    {
        return (recvVec.get(JAVA_INT, MMSGHDR_SIZE * slot + MSG_FLAGS) & LibC.MSG_TRUNC) != 0;
    }

    /**
     * A slot's data, to read or fill by hand (tests and probes; allocates a view).
     *
     * @param slot the entry.
     * @return the whole slot.
     */
    public MemorySegment slot(final int slot)
    {
        return data.asSlice((long)slotSize * slot, slotSize);
    }

    /**
     * Where a slot's data starts in native memory, for code that works on it in place without a view.
     *
     * @param slot the entry.
     * @return the address of its first byte; {@link #slotSize()} bytes follow.
     */
    public long slotAddress(final int slot)
    {
        return data.address() + (long)slotSize * slot;
    }

    /**
     * The address family of a datagram's source.
     *
     * @param slot the entry.
     * @return {@link LibC#AF_INET} or {@link LibC#AF_INET6}.
     */
    public int sourceFamily(final int slot)
    {
        return names.get(FAMILY, (long)NAME_SIZE * slot + SIN_FAMILY) & 0xFFFF;
    }

    /**
     * A datagram's source port.
     *
     * @param slot the entry.
     * @return the port.
     */
    public int sourcePort(final int slot)
    {
        return names.get(NET_SHORT, (long)NAME_SIZE * slot + SIN_PORT) & 0xFFFF;
    }

    /**
     * An IPv4 source address, its first octet in the high byte (as {@code Inet4Address#hashCode()} gives it).
     *
     * @param slot the entry.
     * @return the address.
     */
    public int sourceAddress4(final int slot)
    {
        return names.get(NET_INT, (long)NAME_SIZE * slot + SIN_ADDR);
    }

    /**
     * The first eight bytes of an IPv6 source address, big-endian.
     *
     * @param slot the entry.
     * @return the high half.
     */
    public long sourceAddress6High(final int slot)
    {
        return names.get(NET_LONG, (long)NAME_SIZE * slot + SIN6_ADDR);
    }

    /**
     * The last eight bytes of an IPv6 source address, big-endian.
     *
     * @param slot the entry.
     * @return the low half.
     */
    public long sourceAddress6Low(final int slot)
    {
        return names.get(NET_LONG, (long)NAME_SIZE * slot + SIN6_ADDR + Long.BYTES);
    }

    /**
     * An IPv6 source's scope id.
     *
     * @param slot the entry.
     * @return the scope id, 0 for global addresses.
     */
    public int sourceScopeId(final int slot)
    {
        return names.get(HOST_INT, (long)NAME_SIZE * slot + SIN6_SCOPE_ID);
    }

    /**
     * Reads the address a received datagram was sent to, from the control message the kernel attached on a socket
     * asked for it ({@link #receiveArrivalAddresses}); {@link #arrivalAddress4()} and the others then return it,
     * until the next call. Allocation-free.
     *
     * @param slot the entry.
     * @return {@link LibC#AF_INET} for an IPv4 socket's {@code IP_PKTINFO}, {@link LibC#AF_INET6} for an IPv6
     * socket's {@code IPV6_PKTINFO} (an IPv4 datagram on a dual-stack socket shows as an IPv4-mapped address), or 0
     * when the datagram carries neither.
     */
    public int readArrival(final int slot)
    {
        final long entry = MMSGHDR_SIZE * slot;
        if ((recvVec.get(JAVA_INT, entry + MSG_FLAGS) & LibC.MSG_CTRUNC) != 0)
        {
            return 0;
        }
        final long controlLength = Math.min(recvVec.get(JAVA_LONG, entry + MSG_CONTROLLEN), RECEIVE_CONTROL_SIZE);
        final long base = RECEIVE_CONTROL_SIZE * slot;
        long offset = 0;
        while (offset + CMSG_DATA <= controlLength)
        {
            final long length = receiveControl.get(JAVA_LONG, base + offset + CMSG_LEN);
            if (length < CMSG_DATA || offset + length > controlLength)
            {
                return 0;
            }
            final int level = receiveControl.get(JAVA_INT, base + offset + CMSG_LEVEL);
            final int type = receiveControl.get(JAVA_INT, base + offset + CMSG_TYPE);
            final long data = base + offset + CMSG_DATA;
            if (level == LibC.SOL_IP && type == LibC.IP_PKTINFO && length >= CMSG_DATA + 12)
            {
                arrivalInterface = receiveControl.get(HOST_INT, data + IPI_IFINDEX);
                // ipi_spec_dst, the local address the datagram reached: the header's destination for unicast, the
                // interface's address for a broadcast, either way an address a reply may leave from.
                arrivalAddress4 = receiveControl.get(NET_INT, data + IPI_SPEC_DST);
                return LibC.AF_INET;
            }
            if (level == LibC.SOL_IPV6 && type == LibC.IPV6_PKTINFO && length >= CMSG_DATA + 20)
            {
                arrivalAddress6High = receiveControl.get(NET_LONG, data + IPI6_ADDR);
                arrivalAddress6Low = receiveControl.get(NET_LONG, data + IPI6_ADDR + Long.BYTES);
                arrivalInterface = receiveControl.get(HOST_INT, data + IPI6_IFINDEX);
                return LibC.AF_INET6;
            }
            offset += (length + Long.BYTES - 1) & -Long.BYTES;
        }
        return 0;
    }

    /**
     * The socket's drop count as it stood when a received datagram was queued, from the {@code SO_RXQ_OVFL} control
     * message a socket asked for it attaches ({@link SocketDrops#attachDropCounts}). The kernel attaches none while
     * the count is 0. Allocation-free.
     *
     * @param slot the entry.
     * @return the count (unsigned 32-bit, wrapping), or -1 when the datagram carries none.
     */
    public long receivedDrops(final int slot)
    {
        final long entry = MMSGHDR_SIZE * slot;
        final long controlLength = Math.min(recvVec.get(JAVA_LONG, entry + MSG_CONTROLLEN), RECEIVE_CONTROL_SIZE);
        final long base = RECEIVE_CONTROL_SIZE * slot;
        long offset = 0;
        while (offset + CMSG_DATA <= controlLength)
        {
            final long length = receiveControl.get(JAVA_LONG, base + offset + CMSG_LEN);
            if (length < CMSG_DATA || offset + length > controlLength)
            {
                return -1;
            }
            if (receiveControl.get(JAVA_INT, base + offset + CMSG_LEVEL) == LibC.SOL_SOCKET &&
                receiveControl.get(JAVA_INT, base + offset + CMSG_TYPE) == LibC.SO_RXQ_OVFL &&
                length >= CMSG_DATA + Integer.BYTES)
            {
                return receiveControl.get(HOST_INT, base + offset + CMSG_DATA) & 0xFFFF_FFFFL;
            }
            offset += (length + Long.BYTES - 1) & -Long.BYTES;
        }
        return -1;
    }

    /** @return the IPv4 arrival address {@link #readArrival} read last, first octet in the high byte. */
    public int arrivalAddress4()
    {
        return arrivalAddress4;
    }

    /** @return the first eight bytes of the IPv6 arrival address {@link #readArrival} read last, big-endian. */
    public long arrivalAddress6High()
    {
        return arrivalAddress6High;
    }

    /** @return the last eight bytes of the IPv6 arrival address {@link #readArrival} read last. */
    public long arrivalAddress6Low()
    {
        return arrivalAddress6Low;
    }

    /** @return the index of the interface the datagram {@link #readArrival} read last came in on. */
    public int arrivalInterface()
    {
        return arrivalInterface;
    }

    /**
     * Sends the next datagrams from an IPv4 address of this host ({@code IP_PKTINFO}), on an IPv4 socket bound to the
     * wildcard. The kernel routes them as usual.
     *
     * @param address the source address, first octet in the high byte.
     */
    public void source4(final int address)
    {
        sourceControl.set(JAVA_LONG, CMSG_LEN, CMSG_DATA + 12);
        sourceControl.set(JAVA_INT, CMSG_LEVEL, LibC.SOL_IP);
        sourceControl.set(JAVA_INT, CMSG_TYPE, LibC.IP_PKTINFO);
        sourceControl.set(HOST_INT, CMSG_DATA + IPI_IFINDEX, 0);
        sourceControl.set(NET_INT, CMSG_DATA + IPI_SPEC_DST, address);
        sourceControl.set(NET_INT, CMSG_DATA + IPI_SPEC_DST + Integer.BYTES, 0);
        sourceControlLength = PKTINFO4_CMSG_SPACE;
    }

    /**
     * Sends the next datagrams from an IPv6 address of this host ({@code IPV6_PKTINFO}), on an IPv6 socket bound to
     * the wildcard; an IPv4-mapped address sends IPv4 datagrams from that IPv4 address.
     *
     * @param high           the address's first eight bytes, big-endian.
     * @param low            its last eight bytes.
     * @param interfaceIndex the interface to send on (needed for a link-local address), or 0 to let routing choose.
     */
    public void source6(final long high, final long low, final int interfaceIndex)
    {
        sourceControl.set(JAVA_LONG, CMSG_LEN, CMSG_DATA + 20);
        sourceControl.set(JAVA_INT, CMSG_LEVEL, LibC.SOL_IPV6);
        sourceControl.set(JAVA_INT, CMSG_TYPE, LibC.IPV6_PKTINFO);
        sourceControl.set(NET_LONG, CMSG_DATA + IPI6_ADDR, high);
        sourceControl.set(NET_LONG, CMSG_DATA + IPI6_ADDR + Long.BYTES, low);
        sourceControl.set(HOST_INT, CMSG_DATA + IPI6_IFINDEX, interfaceIndex);
        sourceControlLength = PKTINFO6_CMSG_SPACE;
    }

    /** Sends the next datagrams from whatever address the socket and routing give them. */
    public void noSource()
    {
        sourceControlLength = 0;
    }

    /**
     * Asks a socket to tell, for every datagram, the local address it was sent to ({@code IP_PKTINFO} on an IPv4
     * socket, {@code IPV6_RECVPKTINFO} on an IPv6 one), so that {@link #readArrival} finds it. Once, when a wildcard
     * listener's socket is opened; not on the data path.
     *
     * @param fd   the socket.
     * @param ipv6 whether the socket is IPv6.
     * @return 0, or the error number when the option could not be set.
     */
    public static int receiveArrivalAddresses(final int fd, final boolean ipv6)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment callState = LibC.newCallState(arena);
            final MemorySegment one = arena.allocate(JAVA_INT);
            one.set(JAVA_INT, 0, 1);
            return LibC.setsockopt(callState, fd, ipv6 ? LibC.SOL_IPV6 : LibC.SOL_IP,
                ipv6 ? LibC.IPV6_RECVPKTINFO : LibC.IP_PKTINFO, one) == 0 ? 0 : LibC.errno(callState);
        }
    }

    /**
     * Sends the next datagrams to an IPv4 address (for a socket that is not connected).
     *
     * @param address the address, first octet in the high byte.
     * @param port    the port.
     */
    public void destination4(final int address, final int port)
    {
        destination.fill((byte)0);
        destination.set(FAMILY, SIN_FAMILY, (short)LibC.AF_INET);
        destination.set(NET_SHORT, SIN_PORT, (short)port);
        destination.set(NET_INT, SIN_ADDR, address);
        destinationLength = SOCKADDR_IN_SIZE;
    }

    /**
     * Sends the next datagrams to an IPv6 address (for a socket that is not connected).
     *
     * @param high    the address's first eight bytes, big-endian.
     * @param low     its last eight bytes.
     * @param port    the port.
     * @param scopeId the scope id.
     */
    public void destination6(final long high, final long low, final int port, final int scopeId)
    {
        destination.fill((byte)0);
        destination.set(FAMILY, SIN_FAMILY, (short)LibC.AF_INET6);
        destination.set(NET_SHORT, SIN_PORT, (short)port);
        destination.set(HOST_INT, SIN6_FLOWINFO, 0);
        destination.set(NET_LONG, SIN6_ADDR, high);
        destination.set(NET_LONG, SIN6_ADDR + Long.BYTES, low);
        destination.set(HOST_INT, SIN6_SCOPE_ID, scopeId);
        destinationLength = SOCKADDR_IN6_SIZE;
    }

    /** Sends the next datagrams on a connected socket, naming no destination. */
    public void noDestination()
    {
        destinationLength = 0;
    }

    /**
     * Sends received slots with one sendmmsg(2), without blocking, each as its own datagram; allocation-free.
     *
     * @param fd    the socket.
     * @param slots the slots to send, in order.
     * @param from  the first index into {@code slots}.
     * @param count how many, at most {@link #capacity()}.
     * @return datagrams sent (fewer than {@code count} when the next one failed), or -1 when the first failed;
     * errno is not kept, repeat with the capturing overload for it.
     */
    public int send(final int fd, final int[] slots, final int from, final int count)
    {
        prepareSend(slots, from, count);
        return LibC.sendmmsg(fd, sendVec, count, LibC.MSG_DONTWAIT);
    }

    /**
     * Sends received slots with one sendmmsg(2), without blocking, keeping errno.
     *
     * @param callState the calling thread's call state.
     * @param fd        the socket.
     * @param slots     the slots to send, in order.
     * @param from      the first index into {@code slots}.
     * @param count     how many, at most {@link #capacity()}.
     * @return datagrams sent (fewer than {@code count} when the next one failed), or -1 with the error in
     * {@link LibC#errno(MemorySegment)} when the first failed.
     */
    public int send(final MemorySegment callState, final int fd, final int[] slots, final int from, final int count)
    {
        prepareSend(slots, from, count);
        return LibC.sendmmsg(callState, fd, sendVec, count, LibC.MSG_DONTWAIT);
    }

    private void prepareSend(final int[] slots, final int from, final int count)
    {
        final long name = destinationLength == 0 ? 0 : destinationAddress;
        final long control = sourceControlLength == 0 ? 0 : sourceControl.address();
        final long sendIovBase = sendIov.address();
        for (int i = 0; i < count; i++)
        {
            final int slot = slots[from + i];
            final long entry = MMSGHDR_SIZE * i;
            final long iov = IOVEC_SIZE * i;
            sendIov.set(JAVA_LONG, iov + IOV_BASE, dataBase + (long)slotSize * slot);
            sendIov.set(JAVA_LONG, iov + IOV_LEN, length(slot));
            sendVec.set(JAVA_LONG, entry + MSG_NAME, name);
            sendVec.set(JAVA_INT, entry + MSG_NAMELEN, destinationLength);
            sendVec.set(JAVA_LONG, entry + MSG_IOV, sendIovBase + iov);
            sendVec.set(JAVA_LONG, entry + MSG_CONTROL, control);
            sendVec.set(JAVA_LONG, entry + MSG_CONTROLLEN, sourceControlLength);
        }
    }

    /**
     * Whether a run of slots can go out as one segmented send: at least two, every one but the last of the first's
     * length and the last no longer, within the kernel's limits on segments and bytes.
     *
     * @param slots the slots.
     * @param from  the first index into {@code slots}.
     * @param count how many.
     * @return true when {@link #sendSegmented} may send them.
     */
    public boolean segmentable(final int[] slots, final int from, final int count)
    {
        if (count < 2 || count > MAX_SEGMENTS)
        {
            return false;
        }
        final int size = length(slots[from]);
        if (size == 0)
        {
            return false;
        }
        long total = 0;
        for (int i = 0; i < count; i++)
        {
            final int length = length(slots[from + i]);
            if (i < count - 1 ? length != size : length > size || length == 0)
            {
                return false;
            }
            total += length;
        }
        return total <= MAX_SEGMENTED_BYTES;
    }

    /**
     * Sends a run of slots as one sendmsg(2) with a {@code UDP_SEGMENT} control message, without blocking: the
     * kernel cuts it into datagrams of the first slot's length. The slots are copied back to back first. Check
     * {@link #segmentable} before. Allocation-free; errno is not kept.
     *
     * @param fd    the socket.
     * @param slots the slots to send, in order.
     * @param from  the first index into {@code slots}.
     * @param count how many.
     * @return bytes sent, or -1 on error.
     */
    public long sendSegmented(final int fd, final int[] slots, final int from, final int count)
    {
        prepareSegmented(slots, from, count);
        return LibC.sendmsg(fd, segmentedMsg, LibC.MSG_DONTWAIT);
    }

    /**
     * The same as {@link #sendSegmented(int, int[], int, int)}, keeping errno.
     *
     * @param callState the calling thread's call state.
     * @param fd        the socket.
     * @param slots     the slots to send, in order.
     * @param from      the first index into {@code slots}.
     * @param count     how many.
     * @return bytes sent, or -1 with the error in {@link LibC#errno(MemorySegment)}.
     */
    public long sendSegmented(
        final MemorySegment callState, final int fd, final int[] slots, final int from, final int count)
    {
        prepareSegmented(slots, from, count);
        return LibC.sendmsg(callState, fd, segmentedMsg, LibC.MSG_DONTWAIT);
    }

    private void prepareSegmented(final int[] slots, final int from, final int count)
    {
        final int segmentSize = length(slots[from]);
        long offset = 0;
        for (int i = 0; i < count; i++)
        {
            final int slot = slots[from + i];
            final int length = length(slot);
            MemorySegment.copy(data, (long)slotSize * slot, staging, offset, length);
            offset += length;
        }
        segmentedIov.set(JAVA_LONG, IOV_LEN, offset);
        segmentedMsg.set(JAVA_LONG, MSG_NAME, destinationLength == 0 ? 0 : destinationAddress);
        segmentedMsg.set(JAVA_INT, MSG_NAMELEN, destinationLength);
        segmentControl.set(ValueLayout.JAVA_SHORT_UNALIGNED, CMSG_DATA, (short)segmentSize);
        if (sourceControlLength != 0)
        {
            // Every segment leaves from the same source: the run is one flow's.
            MemorySegment.copy(sourceControl, 0, segmentControl, SEGMENT_CMSG_SPACE, sourceControlLength);
        }
        segmentedMsg.set(JAVA_LONG, MSG_CONTROLLEN, SEGMENT_CMSG_SPACE + sourceControlLength);
    }

    /**
     * Makes a socket keep ICMP errors on its error queue as well as reporting them once through the next call, so
     * {@link #takeQueuedError(int)} can tell why a call that kept no errno failed.
     *
     * @param callState the calling thread's call state.
     * @param fd        a UDP socket.
     * @param ipv6      whether the socket is IPv6.
     * @return 0, or -1 with the error in {@link LibC#errno(MemorySegment)}.
     */
    public int queueErrors(final MemorySegment callState, final int fd, final boolean ipv6)
    {
        scratchInt.set(JAVA_INT, 0, 1);
        return LibC.setsockopt(callState, fd, ipv6 ? LibC.SOL_IPV6 : LibC.SOL_IP,
            ipv6 ? LibC.IPV6_RECVERR : LibC.IP_RECVERR, scratchInt);
    }

    /**
     * Takes the oldest error from a socket's error queue (see {@link #queueErrors}), without blocking.
     *
     * @param fd the socket.
     * @return the error number it carries, such as {@link LibC#ECONNREFUSED} for ICMP port unreachable, or 0 when
     * the queue was empty.
     */
    public int takeQueuedError(final int fd)
    {
        errorMsg.set(JAVA_LONG, MSG_CONTROLLEN, ERROR_CONTROL_SIZE);
        errorMsg.set(JAVA_INT, MSG_FLAGS, 0);
        if (LibC.recvmsg(fd, errorMsg, LibC.MSG_ERRQUEUE | LibC.MSG_DONTWAIT) < 0)
        {
            return 0;
        }
        // The first control message is the sock_extended_err, whose first field is the error number; a queued
        // entry without one still means the socket failed.
        final long controlLength = errorMsg.get(JAVA_LONG, MSG_CONTROLLEN);
        return controlLength >= CMSG_DATA + Integer.BYTES ? Math.max(1, errorControl.get(JAVA_INT, CMSG_DATA)) :
            LibC.EIO;
    }
}
