/**
 * Who may come in and what they did: the building blocks for a listener's access rules, per-source limits and the
 * access log, each usable from a forwarder loop without a lock or an allocation per connection.
 *
 * <ul>
 *   <li>{@link io.portgate.access.CidrList} parses a configured list of CIDR blocks into {@link io.portgate.access.Cidr}
 *       entries and {@link io.portgate.access.CidrFinding}s (errors, warnings, notes with the entry's position) and
 *       compiles it into an immutable {@link io.portgate.access.CidrTable} that answers {@code contains} by binary
 *       search over merged ranges. {@link io.portgate.access.AccessRules} combines an allow and a deny table.</li>
 *   <li>{@link io.portgate.access.SourceLimits} is one worker's bounded table of per-source state: concurrent
 *       connections (or UDP flows) and a rate limit, evicting when full and never growing.</li>
 *   <li>{@link io.portgate.access.AccessRecord}s leave the data path through one
 *       {@link io.portgate.access.AccessLogQueue} per worker (dropped and counted when full) to the
 *       {@link io.portgate.access.AccessLogWriter} agent, which formats them with
 *       {@link io.portgate.access.AccessLogFormat} and writes a file or standard output, reopening on request.
 *       {@link io.portgate.access.AccessLog} owns the queues and starts the writer's thread when a configuration
 *       first names a log.</li>
 * </ul>
 *
 * <p>Wiring: a listener's rules compile once into its route's {@link io.portgate.loop.RouteAccess}; each worker's
 * per-source table and access log queue hang on its {@link io.portgate.loop.RouteRuntime}; the TCP connection and
 * the UDP flow table check a client before a target is picked.
 *
 * <p>Addresses are two longs, IPv4 in mapped form, as {@link io.portgate.net.Ip} describes.
 */
package io.portgate.access;
