package com.example.embedding;

import io.portgate.spi.BalancingPolicy;
import io.portgate.spi.EligibleTargets;
import io.portgate.spi.LoadView;

/**
 * Active-passive balancing: every connection goes to the first target of the pool that is eligible (up and not
 * drained); the others take over only while it is down. The choice is made when the eligible set changes, so a
 * pick is a field read.
 */
public final class PreferFirstPolicy implements BalancingPolicy
{
    @Override
    public Picker picker(final EligibleTargets targets, final LoadView load, final long seed)
    {
        int first = Picker.NO_TARGET;
        for (int i = 0; i < targets.count(); i++)
        {
            if (first == Picker.NO_TARGET || targets.id(i) < first)
            {
                first = targets.id(i);
            }
        }
        final int chosen = first;
        return flowHash -> chosen;
    }
}
