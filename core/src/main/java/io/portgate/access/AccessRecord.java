package io.portgate.access;

import io.portgate.net.Ip;

/**
 * One access log record: a connection or UDP flow that ended. A fixed set of primitive fields, preallocated by an
 * {@link AccessLogQueue} and reused: the data path {@link AccessLogQueue#claim() claims} one, fills it with the
 * setters (each returns this) and {@link AccessLogQueue#commit commits} it; the writer thread formats it and hands
 * it back. No field refers to another object, so a record never keeps anything alive and never allocates.
 */
public final class AccessRecord
{
    /** A TCP connection. */
    public static final int TCP = 0;
    /** A UDP flow. */
    public static final int UDP = 1;
    /** The target field of a connection that never had one. */
    public static final int NO_TARGET = -1;
    /** The connect-time field of a connection that never connected to a target. */
    public static final long NOT_CONNECTED = -1;

    private int protocol;
    private long endEpochMillis;
    private int generation;
    private int listener;
    private int target;
    private long clientHigh;
    private long clientLow;
    private int clientPort;
    private long bytesIn;
    private long bytesOut;
    private long datagramsIn;
    private long datagramsOut;
    private long connectNs;
    private long durationNs;
    private int endReason;

    /**
     * Clears every field: what a claimed record holds before the data path fills it.
     *
     * @return this.
     */
    public AccessRecord clear()
    {
        protocol = TCP;
        endEpochMillis = 0;
        generation = 0;
        listener = 0;
        target = NO_TARGET;
        clientHigh = 0;
        clientLow = 0;
        clientPort = 0;
        bytesIn = 0;
        bytesOut = 0;
        datagramsIn = 0;
        datagramsOut = 0;
        connectNs = NOT_CONNECTED;
        durationNs = 0;
        endReason = EndReason.CLIENT_CLOSE;
        return this;
    }

    /**
     * Copies another record.
     *
     * @param other the record to copy.
     * @return this.
     */
    public AccessRecord copyFrom(final AccessRecord other)
    {
        protocol = other.protocol;
        endEpochMillis = other.endEpochMillis;
        generation = other.generation;
        listener = other.listener;
        target = other.target;
        clientHigh = other.clientHigh;
        clientLow = other.clientLow;
        clientPort = other.clientPort;
        bytesIn = other.bytesIn;
        bytesOut = other.bytesOut;
        datagramsIn = other.datagramsIn;
        datagramsOut = other.datagramsOut;
        connectNs = other.connectNs;
        durationNs = other.durationNs;
        endReason = other.endReason;
        return this;
    }

    /** @param value {@link #TCP} or {@link #UDP}. @return this. */
    public AccessRecord protocol(final int value)
    {
        protocol = value;
        return this;
    }

    /** @param value when it ended, milliseconds since the epoch (wall clock). @return this. */
    public AccessRecord endEpochMillis(final long value)
    {
        endEpochMillis = value;
        return this;
    }

    /**
     * @param value the configuration generation its listener and target indices belong to, passed to
     *              {@link AccessLogNames} so that a record made before a reload is named as it was then.
     * @return this.
     */
    public AccessRecord generation(final int value)
    {
        generation = value;
        return this;
    }

    /** @param value the listener's index. @return this. */
    public AccessRecord listener(final int value)
    {
        listener = value;
        return this;
    }

    /** @param value the target's index, or {@link #NO_TARGET}. @return this. */
    public AccessRecord target(final int value)
    {
        target = value;
        return this;
    }

    /**
     * The client: the real one, from a PROXY header when the listener accepts them.
     *
     * @param high its address's high 64 bits.
     * @param low  its low 64 bits (IPv4 in mapped form).
     * @param port its port.
     * @return this.
     */
    public AccessRecord client(final long high, final long low, final int port)
    {
        clientHigh = high;
        clientLow = low;
        clientPort = port;
        return this;
    }

    /**
     * Bytes moved.
     *
     * @param in  from the client to the target.
     * @param out from the target to the client.
     * @return this.
     */
    public AccessRecord bytes(final long in, final long out)
    {
        bytesIn = in;
        bytesOut = out;
        return this;
    }

    /**
     * Datagrams moved (UDP).
     *
     * @param in  from the client to the target.
     * @param out from the target to the client.
     * @return this.
     */
    public AccessRecord datagrams(final long in, final long out)
    {
        datagramsIn = in;
        datagramsOut = out;
        return this;
    }

    /** @param value how long the target connect took, ns, or {@link #NOT_CONNECTED}. @return this. */
    public AccessRecord connectNs(final long value)
    {
        connectNs = value;
        return this;
    }

    /** @param value how long the connection or flow lasted, ns. @return this. */
    public AccessRecord durationNs(final long value)
    {
        durationNs = value;
        return this;
    }

    /** @param value an {@link EndReason} code. @return this. */
    public AccessRecord endReason(final int value)
    {
        endReason = value;
        return this;
    }

    /** @return {@link #TCP} or {@link #UDP}. */
    public int protocol()
    {
        return protocol;
    }

    /** @return when it ended, ms since the epoch. */
    public long endEpochMillis()
    {
        return endEpochMillis;
    }

    /** @return the configuration generation. */
    public int generation()
    {
        return generation;
    }

    /** @return the listener's index. */
    public int listener()
    {
        return listener;
    }

    /** @return the target's index, or {@link #NO_TARGET}. */
    public int target()
    {
        return target;
    }

    /** @return the client's address, high 64 bits. */
    public long clientHigh()
    {
        return clientHigh;
    }

    /** @return the client's address, low 64 bits. */
    public long clientLow()
    {
        return clientLow;
    }

    /** @return the client's port. */
    public int clientPort()
    {
        return clientPort;
    }

    /** @return bytes from the client to the target. */
    public long bytesIn()
    {
        return bytesIn;
    }

    /** @return bytes from the target to the client. */
    public long bytesOut()
    {
        return bytesOut;
    }

    /** @return datagrams from the client to the target. */
    public long datagramsIn()
    {
        return datagramsIn;
    }

    /** @return datagrams from the target to the client. */
    public long datagramsOut()
    {
        return datagramsOut;
    }

    /** @return the target connect time, ns, or {@link #NOT_CONNECTED}. */
    public long connectNs()
    {
        return connectNs;
    }

    /** @return the duration, ns. */
    public long durationNs()
    {
        return durationNs;
    }

    /** @return the {@link EndReason} code. */
    public int endReason()
    {
        return endReason;
    }

    @Override
    public String toString()
    {
        return (protocol == UDP ? "udp" : "tcp") + " listener " + listener + " client " +
            Ip.toString(clientHigh, clientLow) + ":" + clientPort + " target " + target + " " +
            EndReason.name(endReason);
    }
}
