/**
 * UDP forwarding: every UDP listener's datagrams to its pool and every reply back to the client that caused it.
 *
 * <p>Each worker has its own socket on every listener port (SO_REUSEPORT, bound by
 * {@link io.portgate.conductor.ListenerSockets}), so the kernel keeps a client on one worker. There each listener's
 * {@code UdpFlows} admits clients into a {@code FlowTable} keyed by the client's address and port, picks targets by
 * its {@link io.portgate.udp.UdpRouteRuntime} and gives each flow backend sockets connected to its target: a reply
 * arriving on one of them belongs to exactly that client and leaves through the listener socket the client sent to.
 * Affinity decides when a target is picked: once per flow, once per client IP (the same on every worker), or for
 * every datagram. Idle flows expire through the worker's timer wheel, the longest idle is evicted when the table is
 * full, and a target that answers with ICMP port unreachable is avoided by the flow from its next datagram on. A
 * {@link io.portgate.udp.UdpForwarder} takes its listeners in {@link io.portgate.udp.UdpReload}s.
 *
 * <p>Datagrams cross the kernel boundary on one of two paths: plain NIO, or batches through
 * {@link io.portgate.ffm.DatagramBatch} (recvmmsg, sendmmsg and UDP_SEGMENT), chosen once at start by
 * {@link io.portgate.PortgateContext#conclude()}. Flows and buffers are pooled; no datagram allocates in steady state.
 */
package io.portgate.udp;
