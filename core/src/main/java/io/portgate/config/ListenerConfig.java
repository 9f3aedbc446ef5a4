package io.portgate.config;

import java.time.Duration;

/**
 * A listener: an external address and port (or port range) forwarded to a pool.
 *
 * @param name            the listener's name.
 * @param protocol        tcp or udp.
 * @param bind            the address and port(s) it listens on.
 * @param pool            the name of the pool it forwards to.
 * @param maxConnections  TCP: most open connections at once; past it new ones are closed and counted.
 * @param connectTimeout  TCP: how long a connect to a target may take before the next target is tried.
 * @param connectAttempts TCP: how many targets are tried for one client connection.
 * @param idleTimeout     how long a TCP connection or UDP flow may stay quiet before it is closed.
 * @param backlog         TCP: listen backlog.
 * @param sendBuffer      SO_SNDBUF on every socket, 0 for the system default.
 * @param receiveBuffer   SO_RCVBUF on every socket, 0 for the system default.
 * @param bufferSize      TCP: bytes buffered per direction per connection (the per-connection memory limit is twice
 *                        this).
 * @param affinity        UDP: which datagrams share a target.
 * @param maxFlows        UDP: flows held per worker; past it the longest idle flow is evicted and counted.
 * @param position        where the listener is written.
 * @param bindPosition    where its {@code bind:} is written.
 * @param poolPosition    where its {@code pool:} is written.
 * @param firstByteLatency whether first-byte times are recorded (TCP).
 */
public record ListenerConfig(
    String name,
    Protocol protocol,
    Endpoint bind,
    String pool,
    int maxConnections,
    Duration connectTimeout,
    int connectAttempts,
    Duration idleTimeout,
    int backlog,
    int sendBuffer,
    int receiveBuffer,
    int bufferSize,
    Affinity affinity,
    int maxFlows,
    boolean firstByteLatency,
    Position position,
    Position bindPosition,
    Position poolPosition)
{
    /** Default protocol. */
    public static final Protocol DEFAULT_PROTOCOL = Protocol.TCP;
    /** Default UDP affinity. */
    public static final Affinity DEFAULT_AFFINITY = Affinity.FLOW;
    /** Default maximum open TCP connections per listener. */
    public static final int DEFAULT_MAX_CONNECTIONS = 10_000;
    /** Default connect timeout. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** Default number of targets tried per connection. */
    public static final int DEFAULT_CONNECT_ATTEMPTS = 3;
    /** Default TCP idle timeout. */
    public static final Duration DEFAULT_TCP_IDLE_TIMEOUT = Duration.ofHours(1);
    /** Default UDP flow idle timeout. */
    public static final Duration DEFAULT_UDP_IDLE_TIMEOUT = Duration.ofSeconds(30);
    /** Default listen backlog. */
    public static final int DEFAULT_BACKLOG = 1024;
    /** Default bytes buffered per direction per TCP connection. */
    public static final int DEFAULT_BUFFER_SIZE = 64 * 1024;
    /** Default UDP flows per worker. */
    public static final int DEFAULT_MAX_FLOWS = 65_536;
    /**
     * The longest connect-timeout and idle-timeout. A deadline is {@code nanoTime() + timeout} in a long, compared as
     * {@code deadline - now < 0} and kept in the workers' timer wheel; a year leaves centuries of headroom where
     * 106752 days overflowed and a timeout of 2^63 ns fired at once.
     */
    public static final Duration MAX_TIMEOUT = Duration.ofDays(365);

    /**
     * A builder with the defaults filled in.
     *
     * @param name the listener's name.
     * @return a new builder.
     */
    public static Builder builder(final String name)
    {
        return new Builder(name);
    }

    /** Builds a {@link ListenerConfig}. */
    public static final class Builder
    {
        private final String name;
        private Protocol protocol = DEFAULT_PROTOCOL;
        private Endpoint bind;
        private String pool;
        private int maxConnections = DEFAULT_MAX_CONNECTIONS;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private int connectAttempts = DEFAULT_CONNECT_ATTEMPTS;
        private Duration idleTimeout;
        private int backlog = DEFAULT_BACKLOG;
        private int sendBuffer;
        private int receiveBuffer;
        private int bufferSize = DEFAULT_BUFFER_SIZE;
        private Affinity affinity = DEFAULT_AFFINITY;
        private int maxFlows = DEFAULT_MAX_FLOWS;
        private boolean firstByteLatency;
        private Position position = Position.NONE;
        private Position bindPosition = Position.NONE;
        private Position poolPosition = Position.NONE;

        private Builder(final String name)
        {
            this.name = name;
        }

        /**
         * Sets protocol.
         *
         * @param v protocol.
         * @return this.
         */
        public Builder protocol(final Protocol v) { protocol = v; return this; }
        /**
         * Sets address and port(s).
         *
         * @param v address and port(s).
         * @return this.
         */
        public Builder bind(final Endpoint v) { bind = v; return this; }
        /**
         * Sets address and port(s) as in the file, e.g. {@code 127.0.0.1:8080}.
         *
         * @param text address and port(s) as in the file, e.g. {@code 127.0.0.1:8080}.
         * @return this.
         */
        public Builder bind(final String text) { bind = Addresses.parseEndpoint(text, true); return this; }
        /**
         * Sets pool name.
         *
         * @param v pool name.
         * @return this.
         */
        public Builder pool(final String v) { pool = v; return this; }
        /**
         * Sets connection limit.
         *
         * @param v connection limit.
         * @return this.
         */
        public Builder maxConnections(final int v) { maxConnections = v; return this; }
        /**
         * Sets connect timeout.
         *
         * @param v connect timeout.
         * @return this.
         */
        public Builder connectTimeout(final Duration v) { connectTimeout = v; return this; }
        /**
         * Sets targets tried per connection.
         *
         * @param v targets tried per connection.
         * @return this.
         */
        public Builder connectAttempts(final int v) { connectAttempts = v; return this; }
        /**
         * Sets idle timeout, null for the protocol's default.
         *
         * @param v idle timeout, null for the protocol's default.
         * @return this.
         */
        public Builder idleTimeout(final Duration v) { idleTimeout = v; return this; }
        /**
         * Sets listen backlog.
         *
         * @param v listen backlog.
         * @return this.
         */
        public Builder backlog(final int v) { backlog = v; return this; }
        /**
         * Sets SO_SNDBUF, 0 for the default.
         *
         * @param v SO_SNDBUF, 0 for the default.
         * @return this.
         */
        public Builder sendBuffer(final int v) { sendBuffer = v; return this; }
        /**
         * Sets SO_RCVBUF, 0 for the default.
         *
         * @param v SO_RCVBUF, 0 for the default.
         * @return this.
         */
        public Builder receiveBuffer(final int v) { receiveBuffer = v; return this; }
        /**
         * Sets bytes buffered per direction.
         *
         * @param v bytes buffered per direction.
         * @return this.
         */
        public Builder bufferSize(final int v) { bufferSize = v; return this; }
        /**
         * Sets UDP affinity.
         *
         * @param v UDP affinity.
         * @return this.
         */
        public Builder affinity(final Affinity v) { affinity = v; return this; }
        /**
         * Sets UDP flows per worker.
         *
         * @param v UDP flows per worker.
         * @return this.
         */
        public Builder maxFlows(final int v) { maxFlows = v; return this; }
        /**
         * Sets where the listener is.
         *
         * @param v where the listener is.
         * @return this.
         */
        public Builder position(final Position v) { position = v; return this; }
        /**
         * Sets whether to record first-byte times.
         *
         * @param v whether to record first-byte times.
         * @return this.
         */
        public Builder firstByteLatency(final boolean v) { firstByteLatency = v; return this; }
        /**
         * Sets where bind is.
         *
         * @param v where bind is.
         * @return this.
         */
        public Builder bindPosition(final Position v) { bindPosition = v; return this; }
        /**
         * Sets where pool is.
         *
         * @param v where pool is.
         * @return this.
         */
        public Builder poolPosition(final Position v) { poolPosition = v; return this; }

        /**
         * The listener.
         *
         * @return the listener.
         */
        public ListenerConfig build()
        {
            final Duration idle = idleTimeout != null ? idleTimeout :
                protocol == Protocol.UDP ? DEFAULT_UDP_IDLE_TIMEOUT : DEFAULT_TCP_IDLE_TIMEOUT;
            return new ListenerConfig(name, protocol, bind, pool, maxConnections, connectTimeout, connectAttempts,
                idle, backlog, sendBuffer, receiveBuffer, bufferSize, affinity, maxFlows, firstByteLatency, position,
                bindPosition, poolPosition);
        }
    }
}
