/**
 * Balancing policies shared by the TCP and UDP forwarders: given the eligible targets of a pool, choose the target
 * for a new connection or flow.
 * <p>
 * The conductor describes a pool's eligible targets as plain arrays (stable target id, weight and, for Maglev, a
 * stable key) and builds a fresh policy with {@link io.portgate.balance.BalancerPolicies} whenever that set changes,
 * so construction may allocate and may be slow (a Maglev table is populated up front). The forwarder loop then calls
 * {@link io.portgate.balance.BalancerPolicy#pick(long)} on its own instance for every new connection or flow, and
 * that call never allocates.
 * <p>
 * Policies that keep a cursor, weights in flight or a random state are owned by one forwarder loop each, so they
 * carry no synchronisation. The hashing policies are immutable and one instance may be shared by every loop, which
 * matters for {@link io.portgate.balance.MaglevTable} whose table is the largest structure here.
 */
package io.portgate.balance;
