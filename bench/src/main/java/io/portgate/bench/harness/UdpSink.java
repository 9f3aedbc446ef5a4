package io.portgate.bench.harness;

import org.HdrHistogram.SingleWriterRecorder;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * Receives datagrams and counts them: per flow, the distinct, duplicate, reordered and too-late sequence numbers of
 * measured datagrams ({@link Payload}), and the one-way latency of each first arrival.
 *
 * <p>The latency is the receive time minus the send time in the payload, both {@link System#nanoTime()}; it means
 * something only when sender and sink share a clock, as they do when the udp-oneway run starts its own sink.
 * The counts of a finished run are exact once {@link #close()} has returned; while it runs,
 * {@link #measuredReceived()} is the live count.
 */
public final class UdpSink extends UdpServerBase
{
    private final SequenceTracker[] flows = new SequenceTracker[Payload.MAX_FLOWS];
    private final SingleWriterRecorder oneWayLatency = LoadWorker.newRecorder();
    private long malformed;
    private long unmeasured;

    /**
     * Starts a UDP sink.
     *
     * @param bind where to listen; port 0 picks a free port.
     * @throws IOException when it cannot bind.
     */
    public UdpSink(final InetSocketAddress bind) throws IOException
    {
        super(Kind.UDP_SINK, bind);
    }

    @Override
    protected void serve() throws IOException
    {
        buffer.clear();
        channel.receive(buffer);
        final long nowNs = System.nanoTime();
        final int length = buffer.position();
        counters.increment(WorkerCounters.OPERATIONS);
        counters.add(WorkerCounters.BYTES, length);
        if (length < Payload.HEADER_LENGTH)
        {
            malformed++;
            return;
        }
        final long tag = buffer.getLong(0);
        if (!Payload.isMeasured(tag))
        {
            unmeasured++;
            return;
        }
        final SequenceTracker tracker = tracker(Payload.flow(tag));
        final long before = tracker.distinct();
        tracker.record(Payload.sequence(tag));
        if (tracker.distinct() != before)
        {
            counters.increment(WorkerCounters.MEASURED_OPERATIONS);
            oneWayLatency.recordValue(LoadWorker.clamp(nowNs - buffer.getLong(8)));
        }
    }

    private SequenceTracker tracker(final int flow)
    {
        SequenceTracker tracker = flows[flow];
        if (tracker == null)
        {
            // Once per flow, on its first measured datagram.
            tracker = new SequenceTracker();
            flows[flow] = tracker;
        }
        return tracker;
    }

    /**
     * Distinct measured datagrams received so far.
     *
     * @return count, readable from any thread.
     */
    public long measuredReceived()
    {
        return counters.get(WorkerCounters.MEASURED_OPERATIONS);
    }

    /**
     * One-way latency of measured datagrams, in nanoseconds; the runner swaps its intervals.
     *
     * @return the recorder.
     */
    public SingleWriterRecorder oneWayLatency()
    {
        return oneWayLatency;
    }

    /**
     * The counts; exact after {@link #close()}.
     *
     * @return the counts.
     */
    public Stats stats()
    {
        long distinct = 0;
        long duplicates = 0;
        long reordered = 0;
        long tooLate = 0;
        int flowsSeen = 0;
        for (final SequenceTracker t : flows)
        {
            if (t != null)
            {
                flowsSeen++;
                distinct += t.distinct();
                duplicates += t.duplicates();
                reordered += t.reordered();
                tooLate += t.tooLate();
            }
        }
        return new Stats(messages(), bytes(), distinct, duplicates, reordered, tooLate, unmeasured, malformed,
            flowsSeen);
    }

    /**
     * What a sink received.
     *
     * @param datagrams  every datagram, warm-up and malformed ones included.
     * @param bytes      every byte.
     * @param received   distinct measured datagrams.
     * @param duplicates measured datagrams that arrived again.
     * @param reordered  measured datagrams that arrived after a later one of their flow.
     * @param tooLate    measured datagrams too far behind their flow to classify; not in {@code received}.
     * @param unmeasured datagrams sent during the warm-up.
     * @param malformed  datagrams shorter than a header.
     * @param flows      flows that delivered at least one measured datagram.
     */
    public record Stats(long datagrams, long bytes, long received, long duplicates, long reordered, long tooLate,
        long unmeasured, long malformed, int flows)
    {
    }
}
