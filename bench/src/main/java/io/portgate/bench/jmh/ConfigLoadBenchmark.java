package io.portgate.bench.jmh;

import java.util.concurrent.TimeUnit;

import io.portgate.config.ConfigLoader;
import io.portgate.config.ConfigParser;
import io.portgate.config.ConfigValidator;
import io.portgate.config.Diagnostic;
import io.portgate.config.HostFacts;
import io.portgate.config.PortgateConfig;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Reading and checking a configuration with many targets, as {@code portgate check}, {@code run} and every reload
 * do: the whole of {@link ConfigLoader#load(String, String, HostFacts)} (YAML, parsing, validation) and validation
 * alone. The duplicate-target check once compared every pair (50,000 targets took 8 s); it must stay linear.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsPrepend = {
    JvmFlags.ADD_EXPORTS, JvmFlags.MISC, JvmFlags.ADD_EXPORTS, JvmFlags.NIO_CH, JvmFlags.NATIVE_ACCESS,
    JvmFlags.UNSAFE_MEMORY_ACCESS, JvmFlags.HEAP_MIN, JvmFlags.HEAP_MAX })
@State(Scope.Thread)
public class ConfigLoadBenchmark
{
    /**
     * Targets in the one pool, each its own address.
     */
    @Param({ "1000", "10000", "100000" })
    public int targets;

    private String yaml;
    private PortgateConfig parsed;
    private HostFacts host;

    /** Writes the file and parses it once for {@link #validate}. */
    @Setup
    public void setUp()
    {
        final StringBuilder sb = new StringBuilder("""
            workers: 2
            listeners:
              - name: web
                bind: 0.0.0.0:8080
                pool: web
                max-connections: 1000
              - name: dns
                protocol: udp
                bind: 127.0.0.1:5353
                pool: web
                max-flows: 1000
            pools:
              web:
                port: 9000
                balance: maglev
                targets:
            """);
        for (int i = 0; i < targets; i++)
        {
            sb.append("      - 10.").append(i >> 16 & 255).append('.').append(i >> 8 & 255).append('.')
                .append(i & 255).append('\n');
        }
        yaml = sb.toString();
        host = HostFacts.system();
        final ConfigLoader.Result result = ConfigLoader.load("bench.yaml", yaml, host);
        if (result.hasErrors())
        {
            throw new IllegalStateException("the benchmark's configuration has errors: " + result.diagnostics());
        }
        parsed = ConfigParser.parse("bench.yaml", yaml).config();
    }

    /**
     * What {@code portgate check} does with the file's text.
     *
     * @return the result, so the work is not eliminated.
     */
    @Benchmark
    public ConfigLoader.Result load()
    {
        return ConfigLoader.load("bench.yaml", yaml, host);
    }

    /**
     * Validation alone, as {@code Portgate.reload(PortgateConfig)} does with configuration built in code.
     *
     * @return the findings.
     */
    @Benchmark
    public java.util.List<Diagnostic> validate()
    {
        return ConfigValidator.validate(parsed, host);
    }
}
