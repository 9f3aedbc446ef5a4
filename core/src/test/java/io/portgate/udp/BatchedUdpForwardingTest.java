package io.portgate.udp;

import io.portgate.config.FastPath;
import io.portgate.ffm.UdpBatching;
import io.portgate.ffm.UdpGso;
import org.junit.jupiter.api.BeforeEach;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The UDP forwarding contract on the Panama path: recvmmsg/sendmmsg batches and UDP_SEGMENT runs. */
class BatchedUdpForwardingTest extends UdpForwardingContract
{
    @BeforeEach
    void requireFastPaths()
    {
        assumeTrue(UdpBatching.probe().isAvailable(), () -> "recvmmsg/sendmmsg unavailable: " +
            UdpBatching.probe().unavailabilityCause());
        assumeTrue(UdpGso.probe().isAvailable(), () -> "UDP_SEGMENT unavailable: " + UdpGso.probe().unavailabilityCause());
    }

    @Override
    FastPath batching()
    {
        return FastPath.ON;
    }

    @Override
    FastPath gso()
    {
        return FastPath.ON;
    }
}
