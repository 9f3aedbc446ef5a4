/**
 * The PROXY protocol, versions 1 (text) and 2 (binary), as HAProxy's specification describes it
 * (doc/proxy-protocol.txt): a header a proxy puts before a connection's first byte (or, in version 2, before each
 * datagram) naming the client it relays for.
 *
 * <p>{@link io.portgate.proxy.ProxyParser} reads a header from the bytes a connection has received so far, strictly
 * and incrementally, into a preallocated {@link io.portgate.proxy.ProxyHeader}; it answers "need more", "done,
 * this many bytes" or a {@link io.portgate.proxy.ProxyReject} reason. {@link io.portgate.proxy.ProxyWriter} writes
 * a header into a buffer. Neither allocates; addresses are two longs each, as {@link io.portgate.net.Ip} holds them.
 */
package io.portgate.proxy;
