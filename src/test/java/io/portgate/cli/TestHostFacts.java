package io.portgate.cli;

import io.portgate.config.HostFacts;
import io.portgate.config.PortRange;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * This machine as {@link HostFacts#system()} reads it, with three things it cannot be from inside a test: a process
 * without CAP_NET_BIND_SERVICE (tests run as root here; {@code PrivilegedPortIT} checks the real thing as an
 * unprivileged user), an extra local address 10.1.1.1 (so a target can loop through a wildcard listener), and an
 * open-file limit large enough for any configuration here ({@code OpenFileLimitIT} checks real limits).
 */
final class TestHostFacts implements HostFacts
{
    static final InetAddress EXTRA_LOCAL = InetAddress.ofLiteral("10.1.1.1");
    private static final HostFacts REAL = HostFacts.system();

    @Override
    public int unprivilegedPortStart()
    {
        return REAL.unprivilegedPortStart();
    }

    @Override
    public boolean canBindPrivilegedPorts()
    {
        return false;
    }

    @Override
    public PortRange ephemeralPorts()
    {
        return REAL.ephemeralPorts();
    }

    @Override
    public boolean isLocalAddress(final InetAddress address)
    {
        return address.equals(EXTRA_LOCAL) || REAL.isLocalAddress(address);
    }

    @Override
    public List<InetAddress> localAddresses()
    {
        final List<InetAddress> all = new ArrayList<>(REAL.localAddresses());
        all.add(EXTRA_LOCAL);
        return all;
    }

    @Override
    public boolean allowsNonLocalBind(final InetAddress address)
    {
        return REAL.allowsNonLocalBind(address);
    }

    @Override
    public long openFileLimit()
    {
        return 1L << 30;
    }
}
