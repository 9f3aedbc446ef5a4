package io.portgate.config;

import java.time.Duration;

/**
 * A pool's active health probe.
 *
 * @param protocol   tcp (connect), udp (datagram and reply) or http (GET and status).
 * @param port       the port probed, or null for each target's traffic port.
 * @param interval   time between probes of one target.
 * @param timeout    how long a probe may take.
 * @param rise       consecutive successes that bring a down target up.
 * @param fall       consecutive failures that take an up target down.
 * @param send       the UDP probe payload.
 * @param expect     the prefix a UDP reply must start with, or null to accept any reply.
 * @param path       the HTTP path.
 * @param statusMin  lowest accepted HTTP status.
 * @param statusMax  highest accepted HTTP status.
 * @param position   where the {@code health:} block is.
 * @param portPosition where {@code port:} is.
 * @param probe      the name of a probe registered in {@link io.portgate.spi.Extensions} that probes instead of
 *                   {@code protocol}, or null for the built-in probe of {@code protocol}.
 */
public record HealthConfig(
    HealthProtocol protocol,
    Integer port,
    Duration interval,
    Duration timeout,
    int rise,
    int fall,
    String send,
    String expect,
    String path,
    int statusMin,
    int statusMax,
    Position position,
    Position portPosition,
    String probe)
{
    /** Default probe protocol. */
    public static final HealthProtocol DEFAULT_PROTOCOL = HealthProtocol.TCP;
    /** Lowest HTTP status accepted by default. */
    public static final int DEFAULT_STATUS_MIN = 200;
    /** Highest HTTP status accepted by default. */
    public static final int DEFAULT_STATUS_MAX = 399;
    /** Default time between probes. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(2);
    /** Default probe timeout. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);
    /** The longest interval and timeout: deadlines in nanoseconds, as {@link ListenerConfig#MAX_TIMEOUT}. */
    public static final Duration MAX_DURATION = ListenerConfig.MAX_TIMEOUT;
    /** Default successes to come up. */
    public static final int DEFAULT_RISE = 2;
    /** Default failures to go down. */
    public static final int DEFAULT_FALL = 3;
    /** Default UDP payload. */
    public static final String DEFAULT_SEND = "ping";
    /** Default HTTP path. */
    public static final String DEFAULT_PATH = "/";

    /**
     * The probe's name as a configuration writes it: a registered probe's name, or the built-in protocol's.
     *
     * @return e.g. {@code tcp} or {@code my-probe}.
     */
    public String protocolName()
    {
        return probe != null ? probe : protocol.configName();
    }

    /**
     * The port a target is probed on.
     *
     * @param trafficPort the target's traffic port.
     * @return the health port when set, the traffic port otherwise.
     */
    public int portFor(final int trafficPort)
    {
        return port != null ? port : trafficPort;
    }

    /**
     * A builder with the defaults filled in.
     *
     * @return a new builder.
     */
    public static Builder builder()
    {
        return new Builder();
    }

    /** Builds a {@link HealthConfig}; every setter is optional. */
    public static final class Builder
    {
        private HealthProtocol protocol = DEFAULT_PROTOCOL;
        private Integer port;
        private Duration interval = DEFAULT_INTERVAL;
        private Duration timeout = DEFAULT_TIMEOUT;
        private int rise = DEFAULT_RISE;
        private int fall = DEFAULT_FALL;
        private String send = DEFAULT_SEND;
        private String expect;
        private String path = DEFAULT_PATH;
        private int statusMin = DEFAULT_STATUS_MIN;
        private int statusMax = DEFAULT_STATUS_MAX;
        private Position position = Position.NONE;
        private Position portPosition = Position.NONE;
        private String probe;

        /** A builder with every default; {@link HealthConfig#builder()} makes one too. */
        public Builder()
        {
        }

        /**
         * Sets probe protocol.
         *
         * @param v probe protocol.
         * @return this.
         */
        public Builder protocol(final HealthProtocol v) { protocol = v; probe = null; return this; }
        /**
         * Probes with a registered probe instead of a built-in protocol.
         *
         * @param v the probe's name in {@link io.portgate.spi.Extensions}.
         * @return this.
         */
        public Builder probe(final String v) { probe = v; return this; }
        /**
         * Sets port probed, null for the traffic port.
         *
         * @param v port probed, null for the traffic port.
         * @return this.
         */
        public Builder port(final Integer v) { port = v; return this; }
        /**
         * Sets interval.
         *
         * @param v interval.
         * @return this.
         */
        public Builder interval(final Duration v) { interval = v; return this; }
        /**
         * Sets timeout.
         *
         * @param v timeout.
         * @return this.
         */
        public Builder timeout(final Duration v) { timeout = v; return this; }
        /**
         * Sets rise.
         *
         * @param v rise.
         * @return this.
         */
        public Builder rise(final int v) { rise = v; return this; }
        /**
         * Sets fall.
         *
         * @param v fall.
         * @return this.
         */
        public Builder fall(final int v) { fall = v; return this; }
        /**
         * Sets UDP payload.
         *
         * @param v UDP payload.
         * @return this.
         */
        public Builder send(final String v) { send = v; return this; }
        /**
         * Sets expected UDP reply prefix.
         *
         * @param v expected UDP reply prefix.
         * @return this.
         */
        public Builder expect(final String v) { expect = v; return this; }
        /**
         * Sets HTTP path.
         *
         * @param v HTTP path.
         * @return this.
         */
        public Builder path(final String v) { path = v; return this; }
        /**
         * Sets lowest accepted status.
         *
         * @param min lowest accepted status.
         * @param max highest.
         * @return this.
         */
        public Builder status(final int min, final int max) { statusMin = min; statusMax = max; return this; }
        /**
         * Sets where the block is.
         *
         * @param v where the block is.
         * @return this.
         */
        public Builder position(final Position v) { position = v; return this; }
        /**
         * Sets where the port is.
         *
         * @param v where the port is.
         * @return this.
         */
        public Builder portPosition(final Position v) { portPosition = v; return this; }

        /**
         * The health configuration.
         *
         * @return the health configuration.
         */
        public HealthConfig build()
        {
            return new HealthConfig(protocol, port, interval, timeout, rise, fall, send, expect, path,
                statusMin, statusMax, position, portPosition, probe);
        }
    }
}
