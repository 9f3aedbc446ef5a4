package io.portgate.cli;

import io.portgate.config.HostFacts;
import io.portgate.config.PortRange;

import java.net.InetAddress;

/** A machine where the process may not bind privileged ports and the ephemeral range is Linux's default. */
final class TestHostFacts implements HostFacts
{
    @Override
    public int unprivilegedPortStart()
    {
        return 1024;
    }

    @Override
    public boolean canBindPrivilegedPorts()
    {
        return false;
    }

    @Override
    public PortRange ephemeralPorts()
    {
        return new PortRange(32768, 60999);
    }

    @Override
    public boolean isLocalAddress(final InetAddress address)
    {
        return address.isLoopbackAddress() || address.getHostAddress().equals("10.1.1.1");
    }
}
