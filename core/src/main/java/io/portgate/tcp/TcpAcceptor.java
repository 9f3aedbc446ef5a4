package io.portgate.tcp;

import io.portgate.loop.AcceptBackoff;
import io.portgate.loop.IoHandler;
import io.portgate.loop.LocalFailure;
import io.portgate.loop.TimeoutHandler;
import io.portgate.loop.Worker;
import org.agrona.DeadlineTimerWheel;

import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * One worker's listening socket for one port of a TCP listener. When an accept fails (out of file descriptors, above
 * all) it stops accepting for an {@link AcceptBackoff} pause, armed on the worker's timer wheel, instead of retrying
 * at once: the client that could not be taken stays in the kernel's queue, so the socket stays readable and a retry
 * would spin. The failure is counted by reason, as the balancer's own.
 */
final class TcpAcceptor implements IoHandler, TimeoutHandler
{
    private static final String ACCEPTING = "accepting a client";

    /** Accepts at most this many per ready event, so a flood of connects cannot starve open connections. */
    private static final int ACCEPT_BATCH = 64;

    private final TcpForwarder forwarder;
    private TcpRouteRuntime runtime;
    private int portOffset;
    private final ServerSocketChannel channel;
    private SelectionKey key;
    private final AcceptBackoff backoff = new AcceptBackoff();
    private long resumeTimerId = DeadlineTimerWheel.NULL_DEADLINE;
    /** Whether the sockets it accepts have TCP_NODELAY already, from the listening socket. */
    private boolean noDelayInherited;

    TcpAcceptor(final TcpForwarder forwarder, final TcpRouteRuntime runtime, final int portOffset,
        final ServerSocketChannel channel)
    {
        this.forwarder = forwarder;
        this.channel = channel;
        reassign(runtime, portOffset);
    }

    ServerSocketChannel channel()
    {
        return channel;
    }

    /**
     * Hands the socket to a listener a reload made: the same bound socket, so nothing in its accept queue is lost.
     *
     * @param runtime    the listener now.
     * @param portOffset the port's offset in its range now.
     */
    void reassign(final TcpRouteRuntime runtime, final int portOffset)
    {
        this.runtime = runtime;
        this.portOffset = portOffset;
    }

    void register() throws IOException
    {
        noDelayInherited = TcpSockets.noDelayOnListener(channel);
        key = forwarder.worker().register(channel, SelectionKey.OP_ACCEPT, this);
    }

    @Override
    public void onReady(final SelectionKey key, final long nowNs)
    {
        for (int i = 0; i < ACCEPT_BATCH; i++)
        {
            final SocketChannel client;
            try
            {
                client = channel.accept();
            }
            catch (final IOException ex)
            {
                pause(ex, nowNs);
                return;
            }
            if (client == null)
            {
                return;
            }
            if (i == 0)
            {
                backoff.succeeded();
            }
            forwarder.onAccepted(runtime, portOffset, client, noDelayInherited, nowNs);
        }
    }

    private void pause(final IOException ex, final long nowNs)
    {
        final Worker worker = forwarder.worker();
        final int reason = LocalFailure.classify(ex);
        if (reason == LocalFailure.EMFILE || reason == LocalFailure.ENFILE)
        {
            runtime.counters().addListener(reason == LocalFailure.EMFILE ? TcpSlots.L_ACCEPT_EMFILE :
                TcpSlots.L_ACCEPT_ENFILE, 1);
            forwarder.localFailures().onFailure(reason, ACCEPTING, ex, worker.errorHandler(), nowNs);
        }
        else if (reason != LocalFailure.NONE)
        {
            runtime.counters().addListener(TcpSlots.L_LOCAL + reason, 1);
            forwarder.localFailures().onFailure(reason, ACCEPTING, ex, worker.errorHandler(), nowNs);
        }
        else
        {
            worker.errorHandler().onError(ex);
        }
        if (resumeTimerId == DeadlineTimerWheel.NULL_DEADLINE && key != null && key.isValid())
        {
            key.interestOps(0);
            resumeTimerId = worker.scheduleTimeout(nowNs + backoff.failed(), this);
            forwarder.acceptorPaused();
        }
    }

    @Override
    public void onTimeout(final long timerId, final long nowNs)
    {
        resumeTimerId = DeadlineTimerWheel.NULL_DEADLINE;
        resume();
    }

    /**
     * A connection closed and gave its descriptors back: accept again now rather than at the end of the pause, so
     * service comes back as soon as descriptors do. The pause that follows a new failure keeps growing.
     */
    void resumeEarly()
    {
        if (resumeTimerId != DeadlineTimerWheel.NULL_DEADLINE)
        {
            forwarder.worker().cancelTimeout(resumeTimerId);
            resumeTimerId = DeadlineTimerWheel.NULL_DEADLINE;
            resume();
        }
    }

    private void resume()
    {
        forwarder.acceptorResumed();
        if (key != null && key.isValid())
        {
            key.interestOps(SelectionKey.OP_ACCEPT);
        }
    }

    void close()
    {
        if (resumeTimerId != DeadlineTimerWheel.NULL_DEADLINE)
        {
            forwarder.worker().cancelTimeout(resumeTimerId);
            resumeTimerId = DeadlineTimerWheel.NULL_DEADLINE;
            forwarder.acceptorResumed();
        }
        if (key != null)
        {
            key.cancel();
        }
        try
        {
            channel.close();
        }
        catch (final IOException ex)
        {
            forwarder.worker().errorHandler().onError(ex);
        }
    }
}
