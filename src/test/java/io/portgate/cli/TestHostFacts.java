package io.portgate.cli;

import io.portgate.config.HostFacts;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * This machine as {@link HostFacts#system()} reads it, with three things it cannot be from inside a test: a process
 * without CAP_NET_BIND_SERVICE (tests run as root here; {@code PrivilegedPortIT} checks the real thing as an
 * unprivileged user), an extra local address 10.1.1.1 (so a target can loop through a wildcard listener), and an
 * open-file limit large enough for any configuration here ({@code OpenFileLimitIT} checks real limits).
 */
final class TestHostFacts extends HostFacts.Delegating
{
    static final InetAddress EXTRA_LOCAL = InetAddress.ofLiteral("10.1.1.1");

    TestHostFacts()
    {
        super(HostFacts.system());
    }

    @Override
    public boolean canBindPrivilegedPorts()
    {
        return false;
    }

    @Override
    public boolean isLocalAddress(final InetAddress address)
    {
        return address.equals(EXTRA_LOCAL) || super.isLocalAddress(address);
    }

    @Override
    public List<InetAddress> localAddresses()
    {
        final List<InetAddress> all = new ArrayList<>(super.localAddresses());
        all.add(EXTRA_LOCAL);
        return all;
    }

    @Override
    public long openFileLimit()
    {
        return 1L << 30;
    }
}
