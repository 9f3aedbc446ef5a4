/**
 * The reliability suite (issue 15): scenarios that drive real {@code ./portgate run} processes and real clients on
 * 127.0.0.1 (slow, idle, non-reading, killed, starved of descriptors, flooding, malformed), each bounded in time and
 * count, each ending in a figure and a verdict in a Markdown report. {@link io.portgate.bench.reliability.ReliabilitySuite}
 * runs them; {@code bench/reliability/run.sh} is the command.
 */
package io.portgate.bench.reliability;
