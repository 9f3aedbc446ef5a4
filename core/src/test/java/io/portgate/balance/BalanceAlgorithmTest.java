package io.portgate.balance;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class BalanceAlgorithmTest
{
    @Test
    void eachAlgorithmIsFoundByItsConfigName()
    {
        for (final BalanceAlgorithm algorithm : BalanceAlgorithm.values())
        {
            assertEquals(algorithm, BalanceAlgorithm.fromConfigName(algorithm.configName()));
        }
    }

    @Test
    void listsConfigNamesInDeclarationOrder()
    {
        assertEquals(
            List.of("round-robin", "weighted", "least-conn", "p2c", "source-hash", "maglev"),
            BalanceAlgorithm.configNames());
    }

    @Test
    void unknownNamesAreNotGuessed()
    {
        assertNull(BalanceAlgorithm.fromConfigName("ROUND_ROBIN"));
        assertNull(BalanceAlgorithm.fromConfigName("Maglev"));
        assertNull(BalanceAlgorithm.fromConfigName(""));
        assertNull(BalanceAlgorithm.fromConfigName(null));
    }
}
