package io.portgate.tcp;

import io.portgate.balance.BalancerPolicy;
import io.portgate.loop.TargetFailureListener;
import org.HdrHistogram.SingleWriterRecorder;

import java.nio.channels.ServerSocketChannel;

/**
 * What one worker's TCP forwarder switches to on a reload, built by the control plane and applied on the worker's
 * thread in one command, so the worker never sees half of it.
 *
 * @param routes          the listeners now, by index: the configuration's, then those a reload removed that still
 *                        drain.
 * @param channels        this worker's listening sockets, by listener index and port offset; a socket the worker
 *                        already has keeps its registration, one it no longer finds here is closed. Draining
 *                        listeners have none.
 * @param routeMap        by listener index before, the index now or -1 when it is gone.
 * @param targetMaps      by listener index before and target id before, the target id now or -1 when it is gone.
 * @param counters        the worker's counters now.
 * @param limits          the connection limits now.
 * @param pickers         the policy of each listener now, built over {@link TcpForwarder#loadView(int)} of the new
 *                        indices.
 * @param connectLatency  the connect-time recorder of each listener now.
 * @param firstByteLatency the first-byte-time recorder of each listener now.
 * @param failureListener who hears of failed connects now.
 */
public record TcpReload(
    TcpRoute[] routes,
    ServerSocketChannel[][] channels,
    int[] routeMap,
    int[][] targetMaps,
    TcpCounters counters,
    ConnectionLimits limits,
    BalancerPolicy[] pickers,
    SingleWriterRecorder[] connectLatency,
    SingleWriterRecorder[] firstByteLatency,
    TargetFailureListener failureListener)
{
}
