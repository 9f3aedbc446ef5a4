package io.portgate.config;

/** Whether a TCP listener expects a PROXY protocol header from its clients (all of them in trusted-proxies). */
public enum AcceptProxy implements ConfigEnum
{
    /** No header is read; the connection's own source is the client. */
    OFF,
    /** Version 1, the text line. */
    V1,
    /** Version 2, binary. */
    V2,
    /** Either version. */
    ANY;

    @Override
    public String toString()
    {
        return configName();
    }
}
