package io.portgate.balance;

/**
 * Maps a point of {@code [0, totalWeight)} to the target whose share of that range holds it, each target owning a
 * run as long as its weight. Shared by the policies that draw a target by weight.
 */
final class CumulativeWeights
{
    private final int[] ends;
    private final int totalWeight;

    CumulativeWeights(final int[] weights)
    {
        ends = new int[weights.length];
        int sum = 0;
        for (int i = 0; i < weights.length; i++)
        {
            sum += weights[i];
            ends[i] = sum;
        }
        totalWeight = sum;
    }

    int totalWeight()
    {
        return totalWeight;
    }

    int start(final int index)
    {
        return 0 == index ? 0 : ends[index - 1];
    }

    int indexOf(final int point)
    {
        final int[] ends = this.ends;
        int low = 0;
        int high = ends.length - 1;
        while (low < high)
        {
            final int middle = (low + high) >>> 1;
            if (ends[middle] > point)
            {
                high = middle;
            }
            else
            {
                low = middle + 1;
            }
        }

        return low;
    }
}
