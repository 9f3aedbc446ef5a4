/**
 * IP addresses as primitives, for the data path: every address is 128 bits held in two {@code long}s
 * ({@code high}, {@code low}, network order, most significant bit first), an IPv4 address as its IPv4-mapped IPv6
 * form {@code ::ffff:a.b.c.d}, so that one pair of longs keys a table, matches a prefix and fills a PROXY header
 * whatever the family. {@link io.portgate.net.Ip} converts from and to {@link java.net.InetAddress} (off the hot
 * path) and formats without allocation; {@link io.portgate.net.IpText} parses the strict text forms the PROXY
 * protocol and the configuration accept.
 */
package io.portgate.net;
