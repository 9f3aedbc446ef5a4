/**
 * The forwarder loop: one {@link io.portgate.loop.Worker} per thread, each an Agrona agent owning one
 * {@link java.nio.channels.Selector}, a timer wheel and a bounded command queue through which the control plane
 * hands it work.
 *
 * <p>The loop knows nothing of TCP or UDP: the transports plug in as {@link io.portgate.loop.LoopService}s that
 * attach an {@link io.portgate.loop.IoHandler} to each selection key and arm timeouts through
 * {@link io.portgate.loop.Worker#scheduleTimeout(long, TimeoutHandler)}. Target choice is each transport's, through
 * the policies of {@link io.portgate.balance}.
 */
package io.portgate.loop;
