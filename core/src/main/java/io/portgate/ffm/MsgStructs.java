package io.portgate.ffm;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The C structs {@link DatagramBatch} lays out in native memory ({@code iovec}, {@code msghdr}, {@code mmsghdr},
 * {@code cmsghdr}, {@code sockaddr_in}, {@code sockaddr_in6}, {@code in_pktinfo}, {@code in6_pktinfo}) for Linux on a
 * 64-bit ABI, as layouts and precomputed {@code static final} field offsets, so an access compiles to a constant.
 */
final class MsgStructs
{
    static final StructLayout IOVEC = MemoryLayout.structLayout(
        ADDRESS.withName("iov_base"),
        JAVA_LONG.withName("iov_len"));
    static final StructLayout MSGHDR = MemoryLayout.structLayout(
        ADDRESS.withName("msg_name"),
        JAVA_INT.withName("msg_namelen"),
        MemoryLayout.paddingLayout(4),
        ADDRESS.withName("msg_iov"),
        JAVA_LONG.withName("msg_iovlen"),
        ADDRESS.withName("msg_control"),
        JAVA_LONG.withName("msg_controllen"),
        JAVA_INT.withName("msg_flags"),
        MemoryLayout.paddingLayout(4));
    static final StructLayout MMSGHDR = MemoryLayout.structLayout(
        MSGHDR.withName("msg_hdr"),
        JAVA_INT.withName("msg_len"),
        MemoryLayout.paddingLayout(4));
    static final StructLayout CMSGHDR = MemoryLayout.structLayout(
        JAVA_LONG.withName("cmsg_len"),
        JAVA_INT.withName("cmsg_level"),
        JAVA_INT.withName("cmsg_type"));

    static final long IOVEC_SIZE = IOVEC.byteSize();
    static final long IOV_BASE = IOVEC.byteOffset(groupElement("iov_base"));
    static final long IOV_LEN = IOVEC.byteOffset(groupElement("iov_len"));
    static final long MSGHDR_SIZE = MSGHDR.byteSize();
    static final long MSG_NAME = MSGHDR.byteOffset(groupElement("msg_name"));
    static final long MSG_NAMELEN = MSGHDR.byteOffset(groupElement("msg_namelen"));
    static final long MSG_IOV = MSGHDR.byteOffset(groupElement("msg_iov"));
    static final long MSG_IOVLEN = MSGHDR.byteOffset(groupElement("msg_iovlen"));
    static final long MSG_CONTROL = MSGHDR.byteOffset(groupElement("msg_control"));
    static final long MSG_CONTROLLEN = MSGHDR.byteOffset(groupElement("msg_controllen"));
    static final long MSG_FLAGS = MSGHDR.byteOffset(groupElement("msg_flags"));
    static final long MMSGHDR_SIZE = MMSGHDR.byteSize();
    static final long MSG_LEN = MMSGHDR.byteOffset(groupElement("msg_len"));
    static final long CMSG_LEN = CMSGHDR.byteOffset(groupElement("cmsg_len"));
    static final long CMSG_LEVEL = CMSGHDR.byteOffset(groupElement("cmsg_level"));
    static final long CMSG_TYPE = CMSGHDR.byteOffset(groupElement("cmsg_type"));
    static final long CMSG_DATA = CMSGHDR.byteSize();
    /** CMSG_LEN(sizeof(uint16_t)): header and a 2-byte segment size. */
    static final long SEGMENT_CMSG_LEN = CMSG_DATA + Short.BYTES;
    /** CMSG_SPACE(sizeof(uint16_t)): the same, padded to the alignment of the next header. */
    static final long SEGMENT_CMSG_SPACE = CMSG_DATA + Long.BYTES;

    /** CMSG_SPACE(sizeof(struct in_pktinfo)): header, interface, local address, header destination, padded. */
    static final long PKTINFO4_CMSG_SPACE = CMSG_DATA + 16;
    /** CMSG_SPACE(sizeof(struct in6_pktinfo)): header, address, interface, padded. */
    static final long PKTINFO6_CMSG_SPACE = CMSG_DATA + 24;
    /** Room for the control messages of one received datagram: its arrival address (40) and drop count (24), padded. */
    static final long RECEIVE_CONTROL_SIZE = 96;
    static final long IPI_IFINDEX = 0;
    static final long IPI_SPEC_DST = 4;
    static final long IPI6_ADDR = 0;
    static final long IPI6_IFINDEX = 16;
    /** Room for the control messages of one error-queue entry: a sock_extended_err and the offender's address. */
    static final long ERROR_CONTROL_SIZE = 128;
    /** Room for a {@code sockaddr_in6} (28 bytes), the larger of the two, padded. */
    static final int NAME_SIZE = 32;
    static final int SOCKADDR_IN_SIZE = 16;
    static final int SOCKADDR_IN6_SIZE = 28;
    static final long SIN_FAMILY = 0;
    static final long SIN_PORT = 2;
    static final long SIN_ADDR = 4;
    static final long SIN6_FLOWINFO = 4;
    static final long SIN6_ADDR = 8;
    static final long SIN6_SCOPE_ID = 24;

    static final ValueLayout.OfShort FAMILY = ValueLayout.JAVA_SHORT_UNALIGNED;
    static final ValueLayout.OfShort NET_SHORT =
        ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    static final ValueLayout.OfInt NET_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    static final ValueLayout.OfLong NET_LONG =
        ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    static final ValueLayout.OfInt HOST_INT = ValueLayout.JAVA_INT_UNALIGNED;

    private MsgStructs()
    {
    }
}
