package io.portgate.udp;

import io.portgate.config.FastPath;

/** The UDP forwarding contract on the plain NIO path: one datagram per system call. */
class NioUdpForwardingTest extends UdpForwardingContract
{
    @Override
    FastPath batching()
    {
        return FastPath.OFF;
    }

    @Override
    FastPath gso()
    {
        return FastPath.OFF;
    }
}
