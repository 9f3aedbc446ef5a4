/**
 * The control plane, alive as long as the balancer. The {@link io.portgate.conductor.Conductor} owns what runs
 * ({@link io.portgate.conductor.Running}), each pool's targets with their health verdicts, drains, slow-start ramps
 * and operators' weights ({@code PoolHealth}), and the health checker. It takes changes as commands on a JCTools MPSC
 * queue and reaches each worker through a {@link io.portgate.conductor.WorkerProxy}: one method per command, each a
 * record the worker runs on its thread, a full queue counted and the command kept until there is room.
 *
 * <p>A reload, from {@link io.portgate.Portgate#reload(io.portgate.config.PortgateConfig)} on: {@link io.portgate.conductor.ReloadRequest} on the
 * conductor's queue; {@link io.portgate.conductor.ReloadPlan} works out, purely, which listeners and targets stay,
 * come and drain and where each socket comes from; {@link io.portgate.conductor.ListenerSockets} (the one binder, at
 * start and at a reload, TCP and UDP) probes the ports and binds; {@code RouteRuntimes} takes the counters; only
 * then, with nothing left that can fail, the pools take the new configuration in place (a target that stays keeps
 * its state because the object holding it stays: nothing is handed over) and every worker gets one
 * {@link io.portgate.conductor.WorkerProxy.ApplyReload}. A start is the reload of nothing.
 *
 * <p>Health verdicts and operators' changes become new policies, built here off the data path and swapped in by the
 * workers between two picks ({@link io.portgate.conductor.WorkerProxy.SetPolicy}).
 */
package io.portgate.conductor;
