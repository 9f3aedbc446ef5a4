package io.portgate.conductor;

import io.portgate.balance.BalancerPolicy;
import io.portgate.loop.RouteRuntime;
import io.portgate.loop.Worker;
import io.portgate.loop.WorkerCommand;
import io.portgate.tcp.TcpForwarder;
import io.portgate.tcp.TcpReload;
import io.portgate.tcp.TcpRouteRuntime;
import io.portgate.udp.UdpForwarder;
import io.portgate.udp.UdpReload;
import io.portgate.udp.UdpRouteRuntime;
import org.agrona.concurrent.status.AtomicCounter;

import java.util.ArrayDeque;

/**
 * The control plane's side of one worker's command queue, as Aeron's {@code SenderProxy}: one method per command,
 * each a record the worker runs on its thread. A full queue is neither spun on nor lost: the command waits here,
 * in order, until {@link #flush} finds room, and each refusal is counted
 * ({@code portgate_worker_queue_full_total}, summed over the workers) and reported once per episode in the log. One producer at a
 * time: the conductor's thread, or the caller of a start or a stop while the conductor does not run.
 */
public final class WorkerProxy
{
    private static final System.Logger LOG = System.getLogger("io.portgate");

    /**
     * Switches the worker to a reload's listeners.
     *
     * @param tcp     its TCP forwarder.
     * @param tcpLoad what the TCP forwarder switches to.
     * @param udp     its UDP forwarder.
     * @param udpLoad what the UDP forwarder switches to.
     * @param applied run once both switched.
     */
    public record ApplyReload(TcpForwarder tcp, TcpReload tcpLoad, UdpForwarder udp, UdpReload udpLoad,
        Runnable applied) implements WorkerCommand
    {
        @Override
        public void execute()
        {
            try
            {
                tcp.apply(tcpLoad);
                udp.apply(udpLoad);
            }
            finally
            {
                applied.run();
            }
        }
    }

    /**
     * Swaps a listener's policy.
     *
     * @param runtime the listener, as the worker runs it.
     * @param policy  the policy, built over the runtime's load.
     * @param applied run once swapped.
     */
    public record SetPolicy(RouteRuntime<?> runtime, BalancerPolicy policy, Runnable applied) implements WorkerCommand
    {
        @Override
        public void execute()
        {
            runtime.policy(policy);
            applied.run();
        }
    }

    /**
     * Cuts what a listener has open to a target that went down ({@code on-down: close}).
     *
     * @param tcp     the worker's TCP forwarder.
     * @param udp     the worker's UDP forwarder.
     * @param runtime the listener, as the worker runs it.
     * @param target  the target id.
     */
    public record ResetTarget(TcpForwarder tcp, UdpForwarder udp, RouteRuntime<?> runtime, int target)
        implements WorkerCommand
    {
        @Override
        public void execute()
        {
            if (runtime instanceof TcpRouteRuntime tcpRuntime)
            {
                tcp.resetConnectionsTo(tcpRuntime, target);
            }
            else
            {
                udp.resetConnectionsTo((UdpRouteRuntime)runtime, target);
            }
        }
    }

    /**
     * Stops accepting: listening sockets close, UDP flows end once quiet.
     *
     * @param worker  the worker.
     * @param stopped run once stopped.
     */
    public record StopAccepting(Worker worker, Runnable stopped) implements WorkerCommand
    {
        @Override
        public void execute()
        {
            worker.stopAccepting();
            stopped.run();
        }
    }

    private final Worker worker;
    private final TcpForwarder tcp;
    private final UdpForwarder udp;
    private final AtomicCounter queueFull;
    private final ArrayDeque<WorkerCommand> waiting = new ArrayDeque<>();

    /**
     * A proxy for one worker.
     *
     * @param worker    the worker.
     * @param tcp       its TCP forwarder.
     * @param udp       its UDP forwarder.
     * @param queueFull counts the times its queue was full.
     */
    public WorkerProxy(final Worker worker, final TcpForwarder tcp, final UdpForwarder udp,
        final AtomicCounter queueFull)
    {
        this.worker = worker;
        this.tcp = tcp;
        this.udp = udp;
        this.queueFull = queueFull;
    }

    /** @return the worker. */
    public Worker worker()
    {
        return worker;
    }

    /**
     * Closes the event sources of workers whose start failed before their threads ran.
     *
     * @param workers the workers made so far; null entries are skipped.
     */
    public static void closeUnstarted(final WorkerProxy[] workers)
    {
        for (final WorkerProxy proxy : workers)
        {
            if (proxy != null)
            {
                proxy.worker.closeEvents();
            }
        }
    }

    /**
     * Sends {@link ApplyReload}.
     *
     * @param tcpLoad what the TCP forwarder switches to.
     * @param udpLoad what the UDP forwarder switches to.
     * @param applied run on the worker once both switched.
     */
    public void applyReload(final TcpReload tcpLoad, final UdpReload udpLoad, final Runnable applied)
    {
        send(new ApplyReload(tcp, tcpLoad, udp, udpLoad, applied));
    }

    /**
     * Sends {@link SetPolicy}.
     *
     * @param runtime the listener, as this worker runs it.
     * @param policy  the policy.
     * @param applied run on the worker once swapped.
     */
    public void setPolicy(final RouteRuntime<?> runtime, final BalancerPolicy policy, final Runnable applied)
    {
        send(new SetPolicy(runtime, policy, applied));
    }

    /**
     * Sends {@link ResetTarget}.
     *
     * @param runtime the listener, as this worker runs it.
     * @param target  the target id.
     */
    public void resetTarget(final RouteRuntime<?> runtime, final int target)
    {
        send(new ResetTarget(tcp, udp, runtime, target));
    }

    /**
     * Sends {@link StopAccepting}.
     *
     * @param stopped run on the worker once stopped.
     */
    public void stopAccepting(final Runnable stopped)
    {
        send(new StopAccepting(worker, stopped));
    }

    /**
     * Hands the worker the commands that waited for room, in order.
     *
     * @return true when none waits any more.
     */
    public boolean flush()
    {
        while (!waiting.isEmpty())
        {
            if (!worker.offer(waiting.peekFirst()))
            {
                queueFull.increment();
                return false;
            }
            waiting.pollFirst();
        }
        return true;
    }

    /** @return how many commands wait for room in the worker's queue. */
    public int waiting()
    {
        return waiting.size();
    }

    private void send(final WorkerCommand command)
    {
        if (waiting.isEmpty() && worker.offer(command))
        {
            return;
        }
        if (waiting.isEmpty())
        {
            queueFull.increment();
            LOG.log(System.Logger.Level.WARNING, "{0}: its command queue is full; commands wait in the conductor " +
                "until it drains (counted in portgate_worker_queue_full_total)", worker.roleName());
        }
        waiting.addLast(command);
    }
}
