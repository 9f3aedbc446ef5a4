package io.portgate;

/**
 * Counters of one target as seen through one listener, summed over all workers.
 *
 * @param target            the target as {@code address:port(s)}.
 * @param activeConnections connections open to it now.
 * @param totalConnections  connections established to it.
 * @param connectFailures   failed connects (refused, timed out, unreachable).
 * @param refused           connects it refused.
 * @param bytesIn           bytes forwarded to it (from clients).
 * @param bytesOut          bytes forwarded from it (to clients).
 */
public record TargetStats(
    String target,
    long activeConnections,
    long totalConnections,
    long connectFailures,
    long refused,
    long bytesIn,
    long bytesOut)
{
}
