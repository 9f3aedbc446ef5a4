package io.portgate.config;

/** Whether a pool's connections to its targets start with a PROXY protocol header, and of which version. */
public enum SendProxy implements ConfigEnum
{
    /** No header. */
    OFF,
    /** The text header, {@code PROXY TCP4 ...\r\n}; TCP only. */
    V1,
    /** The binary header; TCP, and for UDP one in front of every datagram. */
    V2;

    @Override
    public String toString()
    {
        return configName();
    }
}
