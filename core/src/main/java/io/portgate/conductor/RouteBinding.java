package io.portgate.conductor;

import io.portgate.balance.BalanceAlgorithm;
import io.portgate.loop.PolicyHost;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * One listener as the conductor drives it: the pool it forwards to, the policy its forwarders pick with, its
 * targets' traffic addresses, and its forwarder on each worker.
 *
 * @param pool       the pool's name.
 * @param algorithm  the policy the forwarders use (UDP client affinity may swap in a hashing one).
 * @param targets    each target's traffic address (its first internal port), by target id.
 * @param routeIndex the listener's index within its transport.
 * @param hosts      the transport's forwarder on each worker, by worker index.
 */
public record RouteBinding(
    String pool, BalanceAlgorithm algorithm, List<InetSocketAddress> targets, int routeIndex, List<PolicyHost> hosts)
{
    /**
     * Copies the lists.
     */
    public RouteBinding
    {
        targets = List.copyOf(targets);
        hosts = List.copyOf(hosts);
    }
}
