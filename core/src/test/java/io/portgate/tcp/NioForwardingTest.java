package io.portgate.tcp;

import io.portgate.config.FastPath;

/** The forwarding contract on the plain NIO path: bytes copied through off-heap buffers. */
class NioForwardingTest extends TcpForwardingContract
{
    @Override
    FastPath splice()
    {
        return FastPath.OFF;
    }
}
