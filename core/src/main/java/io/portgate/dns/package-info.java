/**
 * DNS: targets named by host name.
 *
 * <p>{@link io.portgate.dns.HostResolver} looks a name up, every A and AAAA record with its TTL, through the
 * configured {@code resolvers:} or the system's, without blocking its caller and without throwing: a failure is a
 * {@link io.portgate.dns.Resolution} that says why (NXDOMAIN, SERVFAIL, timeout, no records...). It is a stub
 * resolver of this package, with no DNS library: {@code DnsWire} writes queries and reads answers strictly (a
 * fuzzed parser that refuses any malformed message, never throwing), {@code DnsClient} asks the servers in turn
 * (UDP with EDNS0 from a fresh port with a random ID, TCP when an answer is truncated, ignoring datagrams that do not
 * answer the question), {@code ResolvConf} and {@code HostsFile} read the system resolver's files as glibc does.
 * {@link io.portgate.dns.TargetResolution} re-resolves every named target of a configuration every
 * {@code resolve-interval}, as an Agrona agent with an injected clock, keeps the last good addresses through failed
 * lookups and hands out a {@link io.portgate.dns.TargetChange} only when a name's addresses change; the conductor
 * drives it from its duty cycle and applies each change as a reload ({@code io.portgate.conductor.DiscoveredTargets}).
 * {@link io.portgate.dns.TargetNames} resolves the names of a configuration once, as it is loaded.
 */
package io.portgate.dns;
