package io.portgate.tcp;

import io.portgate.config.FastPath;
import io.portgate.ffm.Splice;
import org.junit.jupiter.api.BeforeEach;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The forwarding contract on the splice(2) path: bytes moved through kernel pipes. */
class SpliceForwardingTest extends TcpForwardingContract
{
    @BeforeEach
    void requireSplice()
    {
        assumeTrue(Splice.probe().isAvailable(), () -> "splice(2) is not available here: " + Splice.probe().unavailabilityCause());
    }

    @Override
    FastPath splice()
    {
        return FastPath.ON;
    }
}
