/**
 * DNS: targets named by host name.
 *
 * <p>{@link io.portgate.dns.HostResolver} looks a name up, every A and AAAA record with its TTL, through the
 * configured {@code resolvers:} or the system's, without blocking its caller and without throwing: a failure is a
 * {@link io.portgate.dns.Resolution} that says why (NXDOMAIN, SERVFAIL, timeout, no records...).
 * {@link io.portgate.dns.TargetResolution} re-resolves every named target of a configuration every
 * {@code resolve-interval}, as an Agrona agent with an injected clock, keeps the last good addresses through failed
 * lookups and hands out a {@link io.portgate.dns.TargetChange} only when a name's addresses change.
 * {@link io.portgate.dns.TargetNames} resolves the names of a configuration once, as it is loaded.
 */
package io.portgate.dns;
