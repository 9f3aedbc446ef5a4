package io.portgate.health;

import io.portgate.spi.ProbeResult;

import io.portgate.config.Endpoint;
import io.portgate.config.HealthConfig;
import io.portgate.loop.LocalFailure;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.Inet6Address;
import java.net.PortUnreachableException;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Carries probes over non-blocking NIO sockets on one {@link Selector}: a TCP connect, a UDP datagram on a connected
 * socket (so an ICMP port-unreachable is seen as a refusal), or an HTTP GET whose status line is checked.
 */
public final class NioProbeTransport implements ProbeTransport
{
    private static final int REPLY_LIMIT = 2048;

    private final Selector selector;
    private final List<Probe> inFlight = new ArrayList<>();
    private final Consumer<SelectionKey> onReady = this::onReady;
    private long nowNs;
    private ProbeTransport.Completion completion;
    private int progress;

    /** Opens the selector. */
    public NioProbeTransport()
    {
        try
        {
            selector = Selector.open();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot open a selector for health probes", ex);
        }
    }

    private final class Probe
    {
        final ProbeTarget target;
        final long startNs;
        final long deadlineNs;
        final ByteBuffer buffer = ByteBuffer.allocate(REPLY_LIMIT);
        SelectableChannel channel;
        boolean done;

        Probe(final ProbeTarget target, final long startNs)
        {
            this.target = target;
            this.startNs = startNs;
            this.deadlineNs = startNs + target.config().timeout().toNanos();
        }

        void finish(final ProbeResult result)
        {
            if (done)
            {
                return;
            }
            done = true;
            closeQuietly(channel);
            completion.complete(target, result, nowNs - startNs);
            progress++;
        }
    }

    @Override
    public void start(final ProbeTarget target, final long nowNs)
    {
        final Probe probe = new Probe(target, nowNs);
        inFlight.add(probe);
        try
        {
            switch (target.config().protocol())
            {
                case TCP, HTTP -> startTcp(probe);
                case UDP -> startUdp(probe);
            }
        }
        catch (final ConnectException ex)
        {
            failLater(probe, ProbeResult.REFUSED);
        }
        catch (final IOException ex)
        {
            failLater(probe, LocalFailure.classify(ex) != LocalFailure.NONE ? ProbeResult.LOCAL_FAILURE :
                ProbeResult.ERROR);
        }
    }

    private void startTcp(final Probe probe) throws IOException
    {
        final SocketChannel channel = SocketChannel.open(family(probe));
        probe.channel = channel;
        channel.configureBlocking(false);
        if (channel.connect(probe.target.probeAt()))
        {
            channel.register(selector, SelectionKey.OP_WRITE, probe);
        }
        else
        {
            channel.register(selector, SelectionKey.OP_CONNECT, probe);
        }
    }

    private void startUdp(final Probe probe) throws IOException
    {
        final DatagramChannel channel = DatagramChannel.open(family(probe));
        probe.channel = channel;
        channel.configureBlocking(false);
        channel.connect(probe.target.probeAt());
        channel.write(ByteBuffer.wrap(probe.target.config().send().getBytes(StandardCharsets.UTF_8)));
        channel.register(selector, SelectionKey.OP_READ, probe);
    }

    // start() never reports completion from inside itself (see ProbeTransport): a failure found at once is parked
    // as an immediate deadline and reported by the next poll.
    private void failLater(final Probe probe, final ProbeResult result)
    {
        probe.buffer.clear();
        probe.buffer.put((byte)result.ordinal());
        probe.buffer.flip();
        closeQuietly(probe.channel);
        probe.channel = null;
    }

    @Override
    public int poll(final long nowNs, final ProbeTransport.Completion completion)
    {
        this.nowNs = nowNs;
        this.completion = completion;
        progress = 0;
        if (inFlight.isEmpty())
        {
            return 0;
        }
        try
        {
            selector.selectNow(onReady);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("health probe selector failed", ex);
        }
        for (int i = inFlight.size() - 1; i >= 0; i--)
        {
            final Probe probe = inFlight.get(i);
            if (!probe.done && probe.channel == null)
            {
                probe.finish(ProbeResult.values()[probe.buffer.get(0)]);
            }
            else if (!probe.done && nowNs - probe.deadlineNs >= 0)
            {
                probe.finish(ProbeResult.TIMEOUT);
            }
            if (probe.done)
            {
                inFlight.remove(i);
            }
        }
        return progress;
    }

    @Override
    public long pollDeadlineNs(final long nowNs)
    {
        // Readiness ends the wait in the selector: only the earliest timeout has to be woken up for. A probe that
        // failed at its start is reported by the next poll.
        long deadline = nowNs + SCRIPTED_POLL_NS;
        boolean any = false;
        for (int i = 0; i < inFlight.size(); i++)
        {
            final Probe probe = inFlight.get(i);
            final long due = probe.channel == null ? nowNs : probe.deadlineNs;
            if (!any || due - deadline < 0)
            {
                deadline = due;
                any = true;
            }
        }
        return deadline;
    }

    @Override
    public void await(final long timeoutNs)
    {
        try
        {
            // Rounded up: a select(0) would wait for ever, and waking before the deadline would only spin.
            selector.select(Math.max(1, (timeoutNs + 999_999) / 1_000_000));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("health probe selector failed", ex);
        }
    }

    @Override
    public void wakeup()
    {
        selector.wakeup();
    }

    private void onReady(final SelectionKey key)
    {
        final Probe probe = (Probe)key.attachment();
        if (probe.done)
        {
            return;
        }
        try
        {
            if (key.channel() instanceof DatagramChannel udp)
            {
                onUdpReply(probe, udp);
            }
            else
            {
                onTcpReady(probe, key, (SocketChannel)key.channel());
            }
        }
        catch (final PortUnreachableException | ConnectException ex)
        {
            probe.finish(ProbeResult.REFUSED);
        }
        catch (final IOException ex)
        {
            probe.finish(LocalFailure.classify(ex) != LocalFailure.NONE ? ProbeResult.LOCAL_FAILURE :
                ProbeResult.ERROR);
        }
    }

    private void onUdpReply(final Probe probe, final DatagramChannel channel) throws IOException
    {
        probe.buffer.clear();
        if (channel.receive(probe.buffer) == null)
        {
            return;
        }
        final String expect = probe.target.config().expect();
        if (expect == null)
        {
            probe.finish(ProbeResult.OK);
            return;
        }
        final String reply = new String(probe.buffer.array(), 0, probe.buffer.position(), StandardCharsets.UTF_8);
        probe.finish(reply.startsWith(expect) ? ProbeResult.OK : ProbeResult.BAD_REPLY);
    }

    private void onTcpReady(final Probe probe, final SelectionKey key, final SocketChannel channel) throws IOException
    {
        if (key.isConnectable())
        {
            channel.finishConnect();
            if (probe.target.config().protocol() != io.portgate.config.HealthProtocol.HTTP)
            {
                probe.finish(ProbeResult.OK);
                return;
            }
            key.interestOps(SelectionKey.OP_WRITE);
            return;
        }
        if (probe.target.config().protocol() != io.portgate.config.HealthProtocol.HTTP)
        {
            probe.finish(ProbeResult.OK);
            return;
        }
        if (key.isWritable())
        {
            final HealthConfig config = probe.target.config();
            final String request = "GET " + config.path() + " HTTP/1.1\r\nHost: " +
                Endpoint.literal(probe.target.probeAt().getAddress()) + "\r\nUser-Agent: portgate-health\r\n" +
                "Connection: close\r\n\r\n";
            // A request this small fits a fresh socket's send buffer: one write sends it whole.
            channel.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII)));
            key.interestOps(SelectionKey.OP_READ);
            probe.buffer.clear();
            return;
        }
        if (key.isReadable())
        {
            final int n = channel.read(probe.buffer);
            final int lineEnd = indexOf(probe.buffer, (byte)'\n');
            if (lineEnd >= 0)
            {
                probe.finish(httpVerdict(probe, new String(probe.buffer.array(), 0, lineEnd,
                    StandardCharsets.US_ASCII).trim()));
            }
            else if (n < 0 || !probe.buffer.hasRemaining())
            {
                probe.finish(ProbeResult.BAD_REPLY);
            }
        }
    }

    private static ProbeResult httpVerdict(final Probe probe, final String statusLine)
    {
        final String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/"))
        {
            return ProbeResult.BAD_REPLY;
        }
        try
        {
            final int status = Integer.parseInt(parts[1]);
            final HealthConfig config = probe.target.config();
            return status >= config.statusMin() && status <= config.statusMax() ? ProbeResult.OK :
                ProbeResult.BAD_REPLY;
        }
        catch (final NumberFormatException ex)
        {
            return ProbeResult.BAD_REPLY;
        }
    }

    private static int indexOf(final ByteBuffer buffer, final byte b)
    {
        for (int i = 0; i < buffer.position(); i++)
        {
            if (buffer.get(i) == b)
            {
                return i;
            }
        }
        return -1;
    }

    private static StandardProtocolFamily family(final Probe probe)
    {
        return probe.target.probeAt().getAddress() instanceof Inet6Address ?
            StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
    }

    private static void closeQuietly(final SelectableChannel channel)
    {
        if (channel != null)
        {
            try
            {
                channel.close();
            }
            catch (final IOException ignored)
            {
                // Closing a probe socket that already failed: nothing left to do.
            }
        }
    }

    @Override
    public void close()
    {
        for (final Probe probe : inFlight)
        {
            closeQuietly(probe.channel);
        }
        inFlight.clear();
        try
        {
            selector.close();
        }
        catch (final IOException ignored)
        {
            // Shutting down.
        }
    }
}
