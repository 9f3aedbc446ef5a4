/**
 * Whether a listener's ports are free before anything binds them, and who holds them when they are not.
 * <p>
 * Listening sockets are bound with SO_REUSEPORT so that every worker has its own; the kernel lets any process of the
 * same user join such a port, and then splits traffic between them. {@link io.portgate.ports.ListenerPorts} therefore
 * binds each address and port once without SO_REUSEPORT first (and closes it) before the real sockets are bound, at
 * start and at a reload; {@link io.portgate.ports.PortHolders} reads {@code /proc} to name the process holding a port.
 */
package io.portgate.ports;
