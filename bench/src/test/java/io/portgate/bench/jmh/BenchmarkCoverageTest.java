package io.portgate.bench.jmh;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import io.portgate.balance.BalanceAlgorithm;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Param;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchmarkCoverageTest
{
    private static final List<Class<?>> SUITE = List.of(BalancerPickBenchmark.class, MaglevBuildBenchmark.class,
        CopyVsSpliceBenchmark.class, TcpRoundTripBenchmark.class, HandshakeBenchmark.class, UdpLossBenchmark.class,
        AccessPartsBenchmark.class, ConfigLoadBenchmark.class);

    @Test
    void balancerPickCoversEveryPolicy() throws NoSuchFieldException
    {
        final Param param = BalancerPickBenchmark.class.getField("algorithm").getAnnotation(Param.class);
        final Set<String> benchmarked = Set.of(param.value());
        final Set<String> policies = Arrays.stream(BalanceAlgorithm.values())
            .map(BalanceAlgorithm::configName).collect(Collectors.toSet());
        assertEquals(policies, benchmarked);
    }

    @Test
    void annotationProcessorListedEveryBenchmark() throws IOException
    {
        // JMH's annotation processor does not run by default on JDK 25; bench/pom.xml names it. Without the list
        // the jar runs nothing and says nothing.
        try (InputStream list = getClass().getClassLoader().getResourceAsStream("META-INF/BenchmarkList"))
        {
            assertNotNull(list, "META-INF/BenchmarkList was not generated");
            final String text = new String(list.readAllBytes(), StandardCharsets.UTF_8);
            assertAll(SUITE.stream().map(type ->
                () -> assertTrue(text.contains(type.getName()), type.getSimpleName() + " is not listed")));
        }
    }

    @Test
    void everyForkCarriesTheRuntimeFlags()
    {
        assertAll(SUITE.stream().map(type -> () ->
        {
            final Fork fork = type.getAnnotation(Fork.class);
            assertNotNull(fork, type.getSimpleName() + " has no @Fork");
            final String[] prepend = fork.jvmArgsPrepend();
            assertArrayEquals(JvmFlags.runtime(), Arrays.copyOf(prepend, JvmFlags.runtime().length),
                type.getSimpleName() + " does not prepend the runtime flags");
        }));
    }
}
