package io.portgate.config;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A pool of targets that listen on an internal port (or port range).
 *
 * @param name          the pool's name, referenced by listeners.
 * @param ports         the internal port or ports its targets listen on, or null when every target names its own.
 * @param balance       the balancing policy, by name: a built-in one ({@code round-robin}, {@code weighted},
 *                      {@code least-conn}, {@code p2c}, {@code source-hash}, {@code maglev}) or one registered
 *                      in {@link io.portgate.spi.Extensions}.
 * @param targets       the targets, in file order.
 * @param health        the active health probe, or null for none (passive detection only).
 * @param onDown        what happens to open connections of a target that goes down.
 * @param allDown       what happens when every target is down.
 * @param slowStart     how long a recovered target takes to reach its full weight; zero for at once.
 * @param resolveInterval how often targets named by host name are looked up again; zero for once, at start.
 * @param position      where the pool is written.
 * @param portsPosition where its {@code port:} is written.
 */
public record PoolConfig(
    String name,
    PortRange ports,
    String balance,
    List<TargetConfig> targets,
    HealthConfig health,
    OnDown onDown,
    AllDown allDown,
    Duration slowStart,
    Position position,
    Position portsPosition,
    Duration resolveInterval)
{
    /** How often named targets are looked up again unless the pool says. */
    public static final Duration DEFAULT_RESOLVE_INTERVAL = Duration.ofSeconds(30);
    /** The longest resolve-interval, as the other durations. */
    public static final Duration MAX_RESOLVE_INTERVAL = ListenerConfig.MAX_TIMEOUT;

    /**
     * The longest slow-start. The ramp computes {@code weight * 16 * elapsed / slow-start} in a long
     * ({@code Conductor.rampedWeight}): with the largest weight, 10000, that stays exact up to 16 hours.
     */
    public static final Duration MAX_SLOW_START = Duration.ofHours(12);
    /** Default balancing policy. */
    public static final String DEFAULT_BALANCE = "round-robin";
    /** Default for open connections of a target that goes down. */
    public static final OnDown DEFAULT_ON_DOWN = OnDown.KEEP;
    /** Default when every target is down. */
    public static final AllDown DEFAULT_ALL_DOWN = AllDown.REJECT;

    /**
     * Copies the target list so the record stays immutable.
     */
    public PoolConfig
    {
        targets = List.copyOf(targets);
    }

    /**
     * The same pool with other targets: those its names resolved to.
     *
     * @param newTargets the targets.
     * @return a copy.
     */
    public PoolConfig withTargets(final List<TargetConfig> newTargets)
    {
        return new PoolConfig(name, ports, balance, newTargets, health, onDown, allDown, slowStart, position,
            portsPosition, resolveInterval);
    }

    /**
     * Whether any target is written as a host name.
     *
     * @return true when one is.
     */
    public boolean hasNamedTargets()
    {
        return targets.stream().anyMatch(TargetConfig::isNamed);
    }

    /**
     * A builder with the defaults filled in.
     *
     * @param name the pool's name.
     * @return a new builder.
     */
    public static Builder builder(final String name)
    {
        return new Builder(name);
    }

    /** Builds a {@link PoolConfig}. */
    public static final class Builder
    {
        private final String name;
        private PortRange ports;
        private String balance = DEFAULT_BALANCE;
        private final List<TargetConfig> targets = new ArrayList<>();
        private HealthConfig health;
        private OnDown onDown = DEFAULT_ON_DOWN;
        private AllDown allDown = DEFAULT_ALL_DOWN;
        private Duration slowStart = Duration.ZERO;
        private Position position = Position.NONE;
        private Position portsPosition = Position.NONE;
        private Duration resolveInterval = DEFAULT_RESOLVE_INTERVAL;

        private Builder(final String name)
        {
            this.name = name;
        }

        /**
         * Sets internal port(s) of the targets.
         *
         * @param v internal port(s) of the targets.
         * @return this.
         */
        public Builder ports(final PortRange v) { ports = v; return this; }
        /**
         * Sets internal port of the targets.
         *
         * @param v internal port of the targets.
         * @return this.
         */
        public Builder port(final int v) { ports = PortRange.of(v); return this; }
        /**
         * Selects the balancing policy.
         *
         * @param v the policy's name: a built-in one or one registered in {@link io.portgate.spi.Extensions}.
         * @return this.
         */
        public Builder balance(final String v) { balance = v; return this; }
        /**
         * Adds a target.
         *
         * @param v a target.
         * @return this.
         */
        public Builder target(final TargetConfig v) { targets.add(v); return this; }
        /**
         * Adds a target taking the pool's port.
         *
         * @param address a target taking the pool's port.
         * @return this.
         */
        public Builder target(final InetAddress address) { targets.add(TargetConfig.of(address, null)); return this; }
        /**
         * Adds a target.
         *
         * @param address a target.
         * @param port its own port.
         * @return this.
         */
        public Builder target(final InetAddress address, final int port)
        {
            targets.add(TargetConfig.of(address, PortRange.of(port)));
            return this;
        }
        /**
         * Sets health probe, null for none.
         *
         * @param v health probe, null for none.
         * @return this.
         */
        public Builder health(final HealthConfig v) { health = v; return this; }
        /**
         * Sets on-down behaviour.
         *
         * @param v on-down behaviour.
         * @return this.
         */
        public Builder onDown(final OnDown v) { onDown = v; return this; }
        /**
         * Sets all-down behaviour.
         *
         * @param v all-down behaviour.
         * @return this.
         */
        public Builder allDown(final AllDown v) { allDown = v; return this; }
        /**
         * Sets slow start.
         *
         * @param v slow start.
         * @return this.
         */
        public Builder slowStart(final Duration v) { slowStart = v; return this; }
        /**
         * Sets where the pool is.
         *
         * @param v where the pool is.
         * @return this.
         */
        public Builder position(final Position v) { position = v; return this; }
        /**
         * Sets where its port is.
         *
         * @param v where its port is.
         * @return this.
         */
        public Builder portsPosition(final Position v) { portsPosition = v; return this; }
        /**
         * Sets how often named targets are looked up again, zero for once.
         *
         * @param v how often named targets are looked up again, zero for once.
         * @return this.
         */
        public Builder resolveInterval(final Duration v) { resolveInterval = v; return this; }

        /**
         * The pool.
         *
         * @return the pool.
         */
        public PoolConfig build()
        {
            return new PoolConfig(name, ports, balance, targets, health, onDown, allDown, slowStart, position,
                portsPosition, resolveInterval);
        }
    }
}
