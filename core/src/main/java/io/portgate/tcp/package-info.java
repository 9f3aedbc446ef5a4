/**
 * The TCP forwarder. Every worker has its own listening socket per listener port (SO_REUSEPORT, bound by
 * {@link io.portgate.conductor.ListenerSockets}), so the kernel spreads new connections over the workers and a
 * connection never changes thread. A connection is accepted, a target is picked and connected to without blocking on
 * the same loop, and only then is the client read.
 *
 * <p>A {@link io.portgate.tcp.TcpForwarder} starts with no listener and takes its listeners in
 * {@link io.portgate.tcp.TcpReload}s; each connection reaches everything of its listener (policy, counters, limits,
 * latency recorders, transfer pool) through its {@link io.portgate.tcp.TcpRouteRuntime}, which a reload swaps. Bytes
 * in flight sit in a {@link io.portgate.tcp.Transfer} per direction, taken from a per-worker pool only while bytes are
 * pending and bounded by a global {@link io.portgate.tcp.MemoryBudget}: an off-heap buffer on the plain NIO path, a
 * kernel pipe on the splice(2) path. Backpressure is interest operations: a source is not read while its destination
 * still has bytes pending. Half-closes are forwarded, resets are mirrored, and counters are kept per listener and per
 * target by the slots of {@link io.portgate.tcp.TcpSlots}.
 */
package io.portgate.tcp;
