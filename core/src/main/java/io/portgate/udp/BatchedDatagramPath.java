package io.portgate.udp;

import io.portgate.net.Ip;
import io.portgate.proxy.ProxyHeader;
import io.portgate.proxy.ProxyWriter;
import org.agrona.concurrent.UnsafeBuffer;

import io.portgate.ffm.DatagramBatch;
import io.portgate.ffm.LibC;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.Inet6Address;

/**
 * Datagrams in batches through the Panama layer: recvmmsg(2) takes up to a batch from a ready socket, and every run
 * of consecutive datagrams that go out on the same socket leaves with one sendmmsg(2), straight from the slots they
 * were received into; with GSO, a run of equal-sized datagrams leaves as one segmented sendmsg(2). The sockets are
 * the same NIO channels the selector watches, used through their file descriptors. On a listener bound to the
 * wildcard, the kernel attaches each datagram's arrival address ({@code IP_PKTINFO}, {@code IPV6_PKTINFO}) and the
 * replies of its flow name that address as their source, so a client that sent to 127.0.0.2 hears back from
 * 127.0.0.2, which a connected client socket requires.
 *
 * <p>The hot calls keep no errno (see {@link LibC}): a receive or send that fails is repeated with the call that
 * keeps it, which sees the same error again unless the error was the socket's own pending one, consumed by the first
 * call. Only connected backend sockets have such errors (an ICMP port unreachable from the target), so they keep their
 * ICMP errors on their error queue too, where the path reads them back.
 *
 * <p>The batch's native memory (a slot of 64 KiB per datagram) is allocated once when the worker starts and freed
 * when it closes, both on the worker's thread; its call-state segment too. Nothing is allocated per datagram.
 */
final class BatchedDatagramPath implements DatagramPath
{
    /** Datagrams per system call: 32 slots of 64 KiB are 2 MiB of native memory per worker. */
    static final int BATCH = 32;
    private static final int SLOT_SIZE = 64 * 1024;

    private final boolean gso;
    private final int[] run = new int[BATCH];
    private Arena arena;
    private DatagramBatch batch;
    private MemorySegment callState;
    private int runLength;
    /** A slot's data, wrapped in place to write a PROXY header in front of its datagram. */
    private final UnsafeBuffer slotView = new UnsafeBuffer(0, 0);
    private UdpBackend runBackend;
    private long segmentedSends;

    BatchedDatagramPath(final boolean gso)
    {
        this.gso = gso;
    }

    @Override
    public void open()
    {
        arena = Arena.ofConfined();
        batch = new DatagramBatch(arena, BATCH, SLOT_SIZE);
        callState = LibC.newCallState(arena);
    }

    @Override
    public void drainListener(final UdpListenerSocket socket, final long nowNs)
    {
        final UdpFlows flows = socket.flows;
        final int maxDatagram = flows.route().maxDatagram();
        int received = batch.receive(socket.fd, maxDatagram + 1);
        if (received < 0)
        {
            received = batch.receive(callState, socket.fd, maxDatagram + 1);
            if (received < 0)
            {
                onReceiveError(flows, null, LibC.errno(callState));
                return;
            }
        }
        if (received > 0)
        {
            // The last datagram carries the newest drop count: what the kernel dropped before queueing it.
            socket.observeKernelDrops(batch.receivedDrops(received - 1));
        }
        runLength = 0;
        runBackend = null;
        for (int slot = 0; slot < received; slot++)
        {
            if (batch.truncated(slot) || batch.length(slot) > maxDatagram)
            {
                flows.dropped(UdpSlots.L_DROP_TRUNCATED, 1);
                continue;
            }
            final UdpFlow flow = flowOf(socket, slot, nowNs);
            if (flow == null)
            {
                continue;
            }
            if (socket.repliesFromArrivalAddress)
            {
                recordArrival(flow, slot);
            }
            final UdpBackend backend = flows.backendFor(flow, nowNs);
            if (backend == null)
            {
                continue;
            }
            if (flows.route().access().sendProxy() != 0 && !putProxyHeader(flow, slot))
            {
                flows.dropped(UdpSlots.L_DROP_TRUNCATED, 1);
                continue;
            }
            if (backend != runBackend)
            {
                flushRunToTarget(flows, nowNs);
                runBackend = backend;
            }
            run[runLength++] = slot;
        }
        flushRunToTarget(flows, nowNs);
    }

    /**
     * Moves a datagram up in its slot and writes the flow's PROXY v2 header in front of it (send-proxy: v2).
     *
     * @return false when the two do not fit in one datagram.
     */
    private boolean putProxyHeader(final UdpFlow flow, final int slot)
    {
        final int header = Ip.isIpv4(flow.clientHigh, flow.clientLow) && Ip.isIpv4(flow.localHigh, flow.localLow) ?
            ProxyWriter.V2_IPV4_LENGTH : ProxyWriter.V2_IPV6_LENGTH;
        final int length = batch.length(slot);
        if (length + header > UdpRoute.MAX_DATAGRAM || length + header > batch.slotSize())
        {
            return false;
        }
        slotView.wrap(batch.slotAddress(slot), batch.slotSize());
        // Overlapping copy: Unsafe.copyMemory moves bytes as memmove does.
        slotView.putBytes(header, slotView, 0, length);
        ProxyWriter.writeV2(slotView, 0, ProxyHeader.TRANSPORT_DGRAM, flow.clientHigh, flow.clientLow, flow.port,
            flow.localHigh, flow.localLow, flow.localPort);
        batch.length(slot, length + header);
        return true;
    }

    private UdpFlow flowOf(final UdpListenerSocket socket, final int slot, final long nowNs)
    {
        final UdpFlows flows = socket.flows;
        final int port = batch.sourcePort(slot);
        if (batch.sourceFamily(slot) == LibC.AF_INET)
        {
            final int address = batch.sourceAddress4(slot);
            final UdpFlow flow = flows.find4(socket.portOffset, address, port);
            if (flow != null)
            {
                return flow;
            }
            // A new flow may evict another whose socket a pending run still names: send the run first.
            flushRunToTarget(flows, nowNs);
            return flows.create4(socket, address, port, null, nowNs);
        }
        final long high = batch.sourceAddress6High(slot);
        final long low = batch.sourceAddress6Low(slot);
        final UdpFlow flow = flows.find6(socket.portOffset, high, low, port);
        if (flow != null)
        {
            return flow;
        }
        flushRunToTarget(flows, nowNs);
        return flows.create6(socket, high, low, port, batch.sourceScopeId(slot), null, nowNs);
    }

    /**
     * Remembers which local address the client sent to, so replies leave from it. A client that later sends to
     * another address of this host gets its replies from that one; an IPv6 multicast arrival address cannot be a
     * source, so such a flow leaves the choice to the kernel.
     */
    private void recordArrival(final UdpFlow flow, final int slot)
    {
        final int family = batch.readArrival(slot);
        if (family == LibC.AF_INET)
        {
            flow.arrival4 = batch.arrivalAddress4();
        }
        else if (family == LibC.AF_INET6)
        {
            final long high = batch.arrivalAddress6High();
            if (high >>> 56 == 0xFF)
            {
                flow.arrivalFamily = 0;
                return;
            }
            flow.arrival6High = high;
            flow.arrival6Low = batch.arrivalAddress6Low();
            // A link-local address names its interface; any other is left to routing, as a bound socket's would be.
            flow.arrivalInterface = high >>> 54 == 0x3FA ? batch.arrivalInterface() : 0;
        }
        flow.arrivalFamily = family;
    }

    private void flushRunToTarget(final UdpFlows flows, final long nowNs)
    {
        if (runLength > 0)
        {
            final UdpBackend backend = runBackend;
            batch.noDestination();
            batch.noSource();
            sendRun(flows, backend, backend.fd, true, nowNs);
        }
        runLength = 0;
        runBackend = null;
    }

    @Override
    public void drainBackend(final UdpBackend backend, final long nowNs)
    {
        final UdpFlow flow = backend.flow;
        final UdpFlows flows = flow.flows;
        final int maxDatagram = flows.route().maxDatagram();
        int received = batch.receive(backend.fd, maxDatagram + 1);
        if (received < 0)
        {
            final int queued = batch.takeQueuedError(backend.fd);
            if (queued != 0)
            {
                onReceiveError(flows, backend, queued);
                return;
            }
            received = batch.receive(callState, backend.fd, maxDatagram + 1);
            if (received < 0)
            {
                onReceiveError(flows, backend, LibC.errno(callState));
                return;
            }
        }
        runLength = 0;
        for (int slot = 0; slot < received; slot++)
        {
            if (batch.truncated(slot) || batch.length(slot) > maxDatagram)
            {
                flows.dropped(UdpSlots.L_DROP_TRUNCATED, 1);
                continue;
            }
            run[runLength++] = slot;
        }
        if (runLength > 0)
        {
            if (flow.ipv6)
            {
                batch.destination6(flow.address6High, flow.address6Low, flow.port, flow.scopeId);
            }
            else
            {
                batch.destination4(flow.address4, flow.port);
            }
            if (flow.arrivalFamily == LibC.AF_INET)
            {
                batch.source4(flow.arrival4);
            }
            else if (flow.arrivalFamily == LibC.AF_INET6)
            {
                batch.source6(flow.arrival6High, flow.arrival6Low, flow.arrivalInterface);
            }
            else
            {
                batch.noSource();
            }
            sendRun(flows, backend, flow.listener.fd, false, nowNs);
        }
        runLength = 0;
    }

    /**
     * Sends the run on one socket: segmented when GSO is on and the run allows it, else with sendmmsg, retried
     * while it makes progress. What cannot be sent is dropped and counted by reason.
     */
    private void sendRun(final UdpFlows flows, final UdpBackend backend, final int fd, final boolean toTarget,
        final long nowNs)
    {
        boolean segment = gso;
        int sent = 0;
        while (sent < runLength)
        {
            final int remaining = runLength - sent;
            if (segment && batch.segmentable(run, sent, remaining))
            {
                final long bytes = batch.sendSegmented(fd, run, sent, remaining);
                if (bytes >= 0)
                {
                    segmentedSends++;
                    flows.forwarded(backend, toTarget, remaining, bytes, nowNs);
                    return;
                }
                // Whatever failed (a full buffer, a route that cannot segment, a device without it), sendmmsg
                // below either sends the run one by one or fails the same way and says why.
                segment = false;
                continue;
            }
            int count = batch.send(fd, run, sent, remaining);
            if (count < 0)
            {
                final int queued = toTarget ? batch.takeQueuedError(fd) : 0;
                if (queued != 0)
                {
                    onSendError(flows, backend, true, queued, remaining);
                    return;
                }
                count = batch.send(callState, fd, run, sent, remaining);
            }
            if (count > 0)
            {
                long bytes = 0;
                for (int i = sent; i < sent + count; i++)
                {
                    bytes += batch.length(run[i]);
                }
                flows.forwarded(backend, toTarget, count, bytes, nowNs);
                sent += count;
                continue;
            }
            final int errno = LibC.errno(callState);
            if (count < 0 && errno == LibC.EINTR)
            {
                continue;
            }
            onSendError(flows, backend, toTarget, errno, remaining);
            return;
        }
    }

    private static void onSendError(final UdpFlows flows, final UdpBackend backend, final boolean toTarget,
        final int errno, final int dropped)
    {
        if (errno == LibC.EAGAIN)
        {
            flows.dropped(UdpSlots.L_DROP_WOULD_BLOCK, dropped);
        }
        else if (toTarget && errno == LibC.ECONNREFUSED)
        {
            // An ICMP error from an earlier datagram is reported by this send, which is then not sent; the rest of
            // the run would go to the same target, which the flow now avoids.
            flows.dropped(UdpSlots.L_DROP_UNREACHABLE, dropped);
            flows.onUnreachable(backend);
        }
        else
        {
            flows.dropped(UdpSlots.L_DROP_ERROR, dropped);
            final IOException error = new IOException((toTarget ? "send to a target failed: " :
                "send to a client failed: ") + LibC.strerror(errno));
            if (toTarget)
            {
                flows.onBackendError(backend, error);
            }
            else
            {
                flows.errorHandler().onError(error);
            }
        }
    }

    private static void onReceiveError(final UdpFlows flows, final UdpBackend backend, final int errno)
    {
        if (errno == LibC.EAGAIN || errno == LibC.EINTR)
        {
            return;
        }
        if (backend != null && errno == LibC.ECONNREFUSED)
        {
            flows.onUnreachable(backend);
            return;
        }
        final IOException error = new IOException("receive failed: " + LibC.strerror(errno));
        if (backend != null)
        {
            flows.onBackendError(backend, error);
        }
        else
        {
            flows.errorHandler().onError(error);
        }
    }

    @Override
    public void configureBackend(final UdpBackend backend) throws IOException
    {
        final boolean ipv6 = backend.flow.flows.route()
            .targetAddress(backend.target, backend.flow.portOffset).getAddress() instanceof Inet6Address;
        if (batch.queueErrors(callState, backend.fd, ipv6) < 0)
        {
            throw new IOException("cannot keep ICMP errors on a backend socket's error queue: " +
                LibC.strerror(LibC.errno(callState)));
        }
    }

    /** @return sends that carried a run of segments; worker thread only, for tests. */
    long segmentedSends()
    {
        return segmentedSends;
    }

    @Override
    public void close()
    {
        if (arena != null)
        {
            arena.close();
            arena = null;
        }
    }
}
