package io.portgate.balance;

import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * The hash functions the balancing policies agree on: a 64-bit mixer for client keys, a range reduction, and a
 * stable key for a target.
 */
public final class Hashing
{
    private static final long GOLDEN_GAMMA = 0x9E37_79B9_7F4A_7C15L;
    private static final long FNV_OFFSET_BASIS = 0xCBF2_9CE4_8422_2325L;
    private static final long FNV_PRIME = 0x0000_0100_0000_01B3L;

    private Hashing()
    {
    }

    /**
     * Mixes all 64 bits of a value into all 64 bits of the result, so that sequential client addresses and ports
     * spread over the whole range. This is the SplitMix64 finaliser (Stafford's variant 13).
     *
     * @param value to mix.
     * @return the mixed value.
     */
    public static long mix64(final long value)
    {
        long z = value;
        z = (z ^ (z >>> 30)) * 0xBF58_476D_1CE4_E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D0_49BB_1331_11EBL;
        return z ^ (z >>> 31);
    }

    /**
     * Maps a well mixed hash onto {@code [0, range)} with a multiply and a shift instead of a division (Lemire's
     * reduction). It uses the high 32 bits of the hash, so the hash must be mixed first.
     *
     * @param mixedHash a hash from {@link #mix64(long)}.
     * @param range     the size of the range, positive.
     * @return a value in {@code [0, range)}.
     */
    public static int reduce(final long mixedHash, final int range)
    {
        return (int)(((mixedHash >>> 32) * range) >>> 32);
    }

    /**
     * A stable key for a target derived from its id, for callers that have nothing better. Ids are positions in the
     * pool's configured target list, so these keys survive health changes but not a reordering of the list.
     *
     * @param targetId the stable id of the target.
     * @return the key.
     */
    public static long targetKey(final int targetId)
    {
        return mix64(targetId + GOLDEN_GAMMA);
    }

    /**
     * A stable key for a target derived from its address and port, so that Maglev keeps a target's slots when the
     * configuration is reordered or other targets are added or removed. An unresolved address is keyed by its host
     * name, which gives a different key from the resolved address, so a target must be keyed the same way on every
     * rebuild. Called by the conductor, not on the data path.
     *
     * @param address of the target.
     * @return the key.
     */
    public static long targetKey(final InetSocketAddress address)
    {
        long hash = FNV_OFFSET_BASIS;
        final InetAddress resolved = address.getAddress();
        if (null != resolved)
        {
            for (final byte b : resolved.getAddress())
            {
                hash = (hash ^ (b & 0xFF)) * FNV_PRIME;
            }
        }
        else
        {
            final String host = address.getHostString();
            for (int i = 0, length = host.length(); i < length; i++)
            {
                hash = (hash ^ host.charAt(i)) * FNV_PRIME;
            }
        }
        hash = (hash ^ address.getPort()) * FNV_PRIME;

        return mix64(hash);
    }
}
