/**
 * The forwarder loop: one {@link io.portgate.loop.Worker} per thread, each an Agrona agent owning an
 * {@link io.portgate.loop.EventSource} (NIO's selector today: the seam issue 12's epoll transport plugs into), a
 * timer wheel and a JCTools MPSC queue of {@link io.portgate.loop.WorkerCommand}s, through which the control plane
 * hands it work.
 *
 * <p>The loop knows nothing of TCP or UDP: the transports plug in as {@link io.portgate.loop.LoopService}s that
 * register their sockets through {@link io.portgate.loop.Worker#register}, attach an
 * {@link io.portgate.loop.IoHandler} to each, and arm timeouts through
 * {@link io.portgate.loop.Worker#scheduleTimeout(long, TimeoutHandler)}. What both transports share lives here: a
 * listener's {@link io.portgate.loop.Route} and its targets, its per-worker {@link io.portgate.loop.RouteRuntime}
 * (policy, counters, open counts: the one reference a reload swaps), the {@link io.portgate.loop.IntrusiveList} of
 * connections or flows, and the {@link io.portgate.loop.DrainDeadlines} of what a reload left draining. The
 * balancer's own failures are told apart here too, for any transport to use (issue 12's epoll one included):
 * {@link io.portgate.loop.LocalFailure} classifies an exception or an errno (out of descriptors, buffers, memory or
 * source ports), {@link io.portgate.loop.LocalFailureLog} reports each reason once a second, and
 * {@link io.portgate.loop.AcceptBackoff} is the pause a listening socket takes after a failed accept.
 */
package io.portgate.loop;
