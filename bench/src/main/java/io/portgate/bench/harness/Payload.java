package io.portgate.bench.harness;

import java.nio.ByteBuffer;

/**
 * The 16-byte header at the front of every rr, udp-rr and udp-oneway message: a tag word and the send time.
 *
 * <p>The tag word holds, from the top bit down: a measured flag (sent after the warm-up), a 15-bit flow number and a
 * 48-bit sequence number within the flow. The second word is the {@link System#nanoTime()} the message was meant to
 * be sent at. Putting both in the payload lets a sink on the far side of any balancer count loss, duplicates and
 * reordering per flow exactly, and measure one-way latency on the same host, with no side channel.
 */
public final class Payload
{
    /** Bytes of header; the smallest message the header modes accept. */
    public static final int HEADER_LENGTH = 16;
    /** Flows one run can tell apart. */
    public static final int MAX_FLOWS = 1 << 15;
    /** Sequence numbers wrap after this many messages per flow, far beyond any bounded run. */
    public static final long SEQUENCE_MASK = (1L << 48) - 1;

    private static final long MEASURED_BIT = 1L << 63;
    private static final int FLOW_SHIFT = 48;
    private static final long FLOW_MASK = MAX_FLOWS - 1;

    private Payload()
    {
    }

    /**
     * Builds a tag word.
     *
     * @param measured whether the message counts towards the results.
     * @param flow     flow number, below {@link #MAX_FLOWS}.
     * @param sequence sequence number within the flow.
     * @return the tag word.
     */
    public static long tag(final boolean measured, final int flow, final long sequence)
    {
        return (measured ? MEASURED_BIT : 0) | ((flow & FLOW_MASK) << FLOW_SHIFT) | (sequence & SEQUENCE_MASK);
    }

    /**
     * Writes the header at absolute positions 0 to 15, leaving position and limit alone.
     *
     * @param buffer   the message.
     * @param tag      from {@link #tag(boolean, int, long)}.
     * @param sendTime intended send time in nanoseconds.
     */
    public static void write(final ByteBuffer buffer, final long tag, final long sendTime)
    {
        buffer.putLong(0, tag);
        buffer.putLong(8, sendTime);
    }

    /**
     * Whether a tag word is of a measured message.
     *
     * @param tag the tag word.
     * @return true when sent after the warm-up.
     */
    public static boolean isMeasured(final long tag)
    {
        return tag < 0;
    }

    /**
     * The flow of a tag word.
     *
     * @param tag the tag word.
     * @return flow number.
     */
    public static int flow(final long tag)
    {
        return (int)((tag >>> FLOW_SHIFT) & FLOW_MASK);
    }

    /**
     * The sequence number of a tag word.
     *
     * @param tag the tag word.
     * @return sequence number within its flow.
     */
    public static long sequence(final long tag)
    {
        return tag & SEQUENCE_MASK;
    }

    /**
     * Fills a message with a recognisable pattern, so an echo that mangles bytes is not mistaken for a reply.
     *
     * @param buffer the message; its whole capacity is filled.
     */
    public static void fillPattern(final ByteBuffer buffer)
    {
        for (int i = 0; i < buffer.capacity(); i++)
        {
            buffer.put(i, (byte)('a' + i % 26));
        }
    }
}
