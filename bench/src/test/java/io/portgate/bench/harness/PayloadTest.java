package io.portgate.bench.harness;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PayloadTest
{
    @Test
    void tagRoundTrips()
    {
        final long tag = Payload.tag(true, Payload.MAX_FLOWS - 1, Payload.SEQUENCE_MASK);
        assertTrue(Payload.isMeasured(tag));
        assertEquals(Payload.MAX_FLOWS - 1, Payload.flow(tag));
        assertEquals(Payload.SEQUENCE_MASK, Payload.sequence(tag));

        final long warmup = Payload.tag(false, 7, 12_345);
        assertFalse(Payload.isMeasured(warmup));
        assertEquals(7, Payload.flow(warmup));
        assertEquals(12_345, Payload.sequence(warmup));
    }

    @Test
    void headerIsWrittenWithoutMovingTheBuffer()
    {
        final ByteBuffer b = ByteBuffer.allocate(32);
        Payload.fillPattern(b);
        b.position(5);
        Payload.write(b, 11, 22);
        assertEquals(5, b.position());
        assertEquals(11, b.getLong(0));
        assertEquals(22, b.getLong(8));
        assertEquals('a' + 16 % 26, b.get(16));
    }
}
