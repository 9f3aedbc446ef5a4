package io.portgate.loop;

import io.portgate.balance.BalancerPolicy;
import io.portgate.balance.LoadView;

/**
 * A transport's forwarder on one worker, as the control plane drives it: it swaps in the policies the conductor
 * builds, exposes the load its load-aware policies read, cuts traffic to a target that went down when the pool asks,
 * and reports failures it sees on real traffic. Every method but {@link #failureListener} and {@link #loadView} runs
 * on the worker's thread, handed over through its command queue.
 */
public interface PolicyHost
{
    /**
     * Replaces a listener's policy.
     *
     * @param routeIndex the listener, by the transport's own index.
     * @param policy     the new policy.
     */
    void setPolicy(int routeIndex, BalancerPolicy policy);

    /**
     * This worker's open connections or flows per target of a listener; a policy built over it belongs to this
     * worker. Safe to call from the control plane: the view reads the worker's counts when the worker picks.
     *
     * @param routeIndex the listener.
     * @return the view.
     */
    LoadView loadView(int routeIndex);

    /**
     * Cuts what is open to a target that went down ({@code on-down: close}).
     *
     * @param routeIndex the listener.
     * @param target     the target id.
     * @return how many connections or flows were cut.
     */
    int resetConnectionsTo(int routeIndex, int target);

    /**
     * Sets who hears of failures on real traffic. Call before the worker starts.
     *
     * @param listener told on the worker thread; must not block or allocate.
     */
    void failureListener(TargetFailureListener listener);
}
