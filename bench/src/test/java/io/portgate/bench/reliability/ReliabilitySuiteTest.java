package io.portgate.bench.reliability;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The suite's own rules: the exit status reflects the required scenarios only, a scenario that cannot run is an
 * ERROR, every outcome is in the report, and the README names every scenario and says which are not required yet.
 */
class ReliabilitySuiteTest
{
    @TempDir
    Path dir;

    /** A scenario that ends as it is told; the real ones need the built balancer and minutes. */
    private record Fixed(String name, boolean required, boolean passes, boolean throwsInstead) implements Scenario
    {
        @Override
        public String what()
        {
            return "a scenario that " + (passes ? "passes" : "fails");
        }

        @Override
        public Outcome run(final SuiteContext context) throws IOException
        {
            if (throwsInstead)
            {
                throw new IOException("could not reach it");
            }
            return Outcome.of(passes, "figure of " + name, List.of("a note of " + name));
        }
    }

    private int run(final Path report, final Scenario... scenarios) throws Exception
    {
        return ReliabilitySuite.run(new String[] {"--quick", "--report", report.toString(), "--root", dir.toString()},
            List.of(scenarios));
    }

    @Test
    void aFailureOfAScenarioNotRequiredYetLeavesTheExitStatusAlone() throws Exception
    {
        final Path report = dir.resolve("a.md");
        assertEquals(0, run(report, new Fixed("good", true, true, false), new Fixed("later", false, false, false)));
        final String text = Files.readString(report);
        assertTrue(text.contains("| `good` | yes | **PASS** | figure of good |"), text);
        assertTrue(text.contains("| `later` | not yet | **FAIL** | figure of later |"), text);
        assertTrue(text.contains("- a note of later"), text);
        assertTrue(text.contains("exit status 0"), text);
    }

    @Test
    void aRequiredFailureOrAScenarioThatCannotRunFailsIt() throws Exception
    {
        assertEquals(1, run(dir.resolve("b.md"), new Fixed("good", true, true, false),
            new Fixed("bad", true, false, false)));
        final Path report = dir.resolve("c.md");
        assertEquals(1, run(report, new Fixed("broken", true, false, true)));
        assertTrue(Files.readString(report).contains("| `broken` | yes | **ERROR** | could not run: " +
            "java.io.IOException: could not reach it |"), Files.readString(report));
    }

    @Test
    void aBadCommandLineIsExit2() throws Exception
    {
        assertEquals(2, ReliabilitySuite.run(new String[] {"--bogus"}, ReliabilitySuite.scenarios()));
        assertEquals(2, ReliabilitySuite.run(new String[] {"--only", "nope"}, ReliabilitySuite.scenarios()));
    }

    @Test
    void theReadmeNamesEveryScenarioAndWhichAreNotRequiredYet() throws Exception
    {
        final String readme = Files.readString(Path.of("..", "README.md"));
        final int section = readme.indexOf("## Reliability suite");
        assertTrue(section >= 0, "README has a \"Reliability suite\" section");
        final String text = readme.substring(section, readme.indexOf("\n## ", section + 1) < 0 ? readme.length() :
            readme.indexOf("\n## ", section + 1));
        final Set<String> names = new HashSet<>();
        for (final Scenario s : ReliabilitySuite.scenarios())
        {
            assertTrue(names.add(s.name()), "two scenarios are named " + s.name());
            final int row = text.indexOf("| `" + s.name() + "` |");
            assertTrue(row >= 0, "the README's table lists " + s.name());
            final String line = text.substring(row, text.indexOf('\n', row));
            assertEquals(s.required(), !line.contains("not yet"), "the README says whether " + s.name() +
                " is required: " + line);
        }
    }
}
