package io.portgate.balance;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class CumulativeWeightsTest
{
    @Test
    void everyPointBelongsToTheTargetWhoseRunHoldsIt()
    {
        final SplittableRandom random = new SplittableRandom(11);
        for (int count = 1; count <= 40; count++)
        {
            final int[] weights = new int[count];
            for (int i = 0; i < count; i++)
            {
                weights[i] = 1 + random.nextInt(9);
            }
            final CumulativeWeights cumulativeWeights = new CumulativeWeights(weights);

            int point = 0;
            for (int index = 0; index < count; index++)
            {
                assertEquals(point, cumulativeWeights.start(index));
                for (int i = 0; i < weights[index]; i++, point++)
                {
                    assertEquals(index, cumulativeWeights.indexOf(point), "point " + point);
                }
            }
            assertEquals(point, cumulativeWeights.totalWeight());
        }
    }
}
