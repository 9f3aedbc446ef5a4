package io.portgate.udp;

import io.portgate.net.Ip;
import io.portgate.proxy.ProxyHeader;
import io.portgate.proxy.ProxyWriter;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;

/**
 * Datagrams through plain NIO, one system call each, through one direct buffer per worker. The buffer holds one byte
 * more than the largest datagram passed, so a read that fills it shows a datagram that was too large (the rest of it
 * was discarded by the kernel).
 *
 * <p>The JDK remembers the last sender it decoded, so a socket receiving from one client allocates nothing; datagrams
 * alternating between clients make it decode (and allocate) the sender's address each time, which the batched path
 * avoids. Nor can NIO send an empty datagram (it skips the system call for an empty buffer), so those are dropped
 * and counted as errors here.
 */
final class NioDatagramPath implements DatagramPath
{
    /** Datagrams taken per ready socket before the loop serves others; the rest wait for the next duty cycle. */
    private static final int READS_PER_READY = 64;

    /**
     * Whether an IPv4 address's hash code is the address itself, as it has always been in the JDK; checked once,
     * since a flow key must be exact: were it a mere hash, two clients could share a flow and see each other's
     * replies. Where it is not, the address bytes are read instead, at the cost of a small array per datagram.
     */
    private static final boolean HASH_IS_ADDRESS = hashIsAddress();

    /** Room kept in front of a client's datagram for the PROXY header of {@code send-proxy: v2}. */
    private static final int PROXY_ROOM = ProxyWriter.V2_IPV6_LENGTH;

    private final ByteBuffer buffer = ByteBuffer.allocateDirect(PROXY_ROOM + UdpRoute.MAX_DATAGRAM + 1);
    private final UnsafeBuffer bufferView = new UnsafeBuffer(buffer);

    @Override
    public void open()
    {
    }

    @Override
    public void drainListener(final UdpListenerSocket socket, final long nowNs)
    {
        final UdpFlows flows = socket.flows;
        final int maxDatagram = flows.route().maxDatagram();
        for (int i = 0; i < READS_PER_READY; i++)
        {
            buffer.clear().limit(PROXY_ROOM + maxDatagram + 1).position(PROXY_ROOM);
            final SocketAddress sender;
            try
            {
                sender = socket.channel.receive(buffer);
            }
            catch (final IOException ex)
            {
                flows.errorHandler().onError(ex);
                return;
            }
            if (sender == null)
            {
                return;
            }
            if (buffer.position() - PROXY_ROOM > maxDatagram)
            {
                flows.dropped(UdpSlots.L_DROP_TRUNCATED, 1);
                continue;
            }
            final int length = buffer.position() - PROXY_ROOM;
            final UdpFlow flow = flowOf(socket, (InetSocketAddress)sender, nowNs);
            if (flow == null)
            {
                continue;
            }
            final UdpBackend backend = flows.backendFor(flow, nowNs);
            if (backend == null)
            {
                continue;
            }
            if (length == 0)
            {
                flows.dropped(UdpSlots.L_DROP_ERROR, 1);
                continue;
            }
            buffer.limit(buffer.position()).position(PROXY_ROOM);
            if (flows.route().access().sendProxy() != 0)
            {
                putProxyHeader(flow);
            }
            forward(flows, backend, length, nowNs);
        }
    }

    /** Writes the flow's PROXY v2 header right in front of its datagram, which then starts with it. */
    private void putProxyHeader(final UdpFlow flow)
    {
        final int length = Ip.isIpv4(flow.clientHigh, flow.clientLow) && Ip.isIpv4(flow.localHigh, flow.localLow) ?
            ProxyWriter.V2_IPV4_LENGTH : ProxyWriter.V2_IPV6_LENGTH;
        ProxyWriter.writeV2(bufferView, PROXY_ROOM - length, ProxyHeader.TRANSPORT_DGRAM, flow.clientHigh,
            flow.clientLow, flow.port, flow.localHigh, flow.localLow, flow.localPort);
        buffer.position(PROXY_ROOM - length);
    }

    private void forward(final UdpFlows flows, final UdpBackend backend, final int length, final long nowNs)
    {
        final int written;
        try
        {
            written = backend.channel.write(buffer);
        }
        catch (final PortUnreachableException ex)
        {
            // An ICMP error from an earlier datagram is reported by this send, which is then not sent.
            flows.dropped(UdpSlots.L_DROP_UNREACHABLE, 1);
            flows.onUnreachable(backend);
            return;
        }
        catch (final IOException ex)
        {
            flows.dropped(UdpSlots.L_DROP_ERROR, 1);
            flows.onBackendError(backend, ex);
            return;
        }
        if (written == 0)
        {
            flows.dropped(UdpSlots.L_DROP_WOULD_BLOCK, 1);
            return;
        }
        flows.forwarded(backend, true, 1, length, nowNs);
    }

    private static UdpFlow flowOf(final UdpListenerSocket socket, final InetSocketAddress sender, final long nowNs)
    {
        final UdpFlows flows = socket.flows;
        final int port = sender.getPort();
        if (sender.getAddress() instanceof Inet4Address address)
        {
            final int ip = HASH_IS_ADDRESS ? address.hashCode() : bigEndianInt(address.getAddress());
            final UdpFlow flow = flows.find4(socket.portOffset, ip, port);
            return flow != null ? flow : flows.create4(socket, ip, port, sender, nowNs);
        }
        final byte[] ip = sender.getAddress().getAddress();
        final long high = bigEndianLong(ip, 0);
        final long low = bigEndianLong(ip, 8);
        final UdpFlow flow = flows.find6(socket.portOffset, high, low, port);
        if (flow != null)
        {
            return flow;
        }
        final int scopeId = ((java.net.Inet6Address)sender.getAddress()).getScopeId();
        return flows.create6(socket, high, low, port, scopeId, sender, nowNs);
    }

    private static boolean hashIsAddress()
    {
        try
        {
            return java.net.InetAddress.getByAddress(new byte[] {(byte)203, 0, 113, 7}).hashCode() == 0xCB00_7107 &&
                java.net.InetAddress.getByAddress(new byte[] {127, 0, 0, 1}).hashCode() == 0x7F00_0001;
        }
        catch (final java.net.UnknownHostException ex)
        {
            return false;
        }
    }

    private static int bigEndianInt(final byte[] bytes)
    {
        return ((bytes[0] & 0xFF) << 24) | ((bytes[1] & 0xFF) << 16) | ((bytes[2] & 0xFF) << 8) | (bytes[3] & 0xFF);
    }

    private static long bigEndianLong(final byte[] bytes, final int offset)
    {
        long value = 0;
        for (int i = 0; i < Long.BYTES; i++)
        {
            value = (value << 8) | (bytes[offset + i] & 0xFF);
        }
        return value;
    }

    @Override
    public void drainBackend(final UdpBackend backend, final long nowNs)
    {
        final UdpFlow flow = backend.flow;
        final UdpFlows flows = flow.flows;
        final int maxDatagram = flows.route().maxDatagram();
        for (int i = 0; i < READS_PER_READY && backend.isOpen(); i++)
        {
            buffer.clear().limit(maxDatagram + 1);
            final SocketAddress sender;
            try
            {
                // receive, not read: read cannot tell an empty datagram from none.
                sender = backend.channel.receive(buffer);
            }
            catch (final PortUnreachableException ex)
            {
                flows.onUnreachable(backend);
                return;
            }
            catch (final IOException ex)
            {
                flows.onBackendError(backend, ex);
                return;
            }
            final int length = buffer.position();
            if (sender == null)
            {
                return;
            }
            if (tooLarge(flows, maxDatagram))
            {
                continue;
            }
            buffer.flip();
            final int sent;
            try
            {
                sent = flow.listener.channel.send(buffer, flow.client);
            }
            catch (final IOException ex)
            {
                flows.dropped(UdpSlots.L_DROP_ERROR, 1);
                flows.errorHandler().onError(ex);
                continue;
            }
            if (sent == 0 && length > 0)
            {
                flows.dropped(UdpSlots.L_DROP_WOULD_BLOCK, 1);
                continue;
            }
            flows.forwarded(backend, false, 1, length, nowNs);
        }
    }

    /** A datagram larger than the largest passed filled the buffer past it: it is dropped and counted. */
    private boolean tooLarge(final UdpFlows flows, final int maxDatagram)
    {
        if (buffer.position() > maxDatagram)
        {
            flows.dropped(UdpSlots.L_DROP_TRUNCATED, 1);
            return true;
        }
        return false;
    }

    @Override
    public void configureBackend(final UdpBackend backend)
    {
    }

    @Override
    public void close()
    {
    }
}
