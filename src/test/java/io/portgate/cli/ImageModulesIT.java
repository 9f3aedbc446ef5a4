package io.portgate.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The runtime image's JDK modules ({@code portgate.image.modules} in src/pom.xml) are what portgate.jar uses, as
 * jdeps reads it: none missing, none extra. Runs on every build, image or not, so that a new dependency on a JDK module fails here rather than
 * in an image that cannot load a class.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ImageModulesIT
{
    /**
     * Modules jdeps finds that the image leaves out, and the only packages of the jar allowed to reach them: library
     * code portgate never runs.
     */
    private static final Map<String, List<String>> UNUSED = Map.of(
        // commons-math3 (a JMH dependency, shaded with the bench module) has 2-D geometry on java.awt.geom.
        "java.desktop", List.of("org.apache.commons.math3."),
        // Agrona's code generator compiles Java source at run time; portgate uses none of it.
        "java.compiler", List.of("org.agrona.generation"));

    @Test
    void theImageHasEveryModuleThePortgateJarNeeds() throws Exception
    {
        final Set<String> image = listed("portgate.image.modules");
        assertEquals(UNUSED.keySet(), listed("portgate.image.unused-modules"),
            "portgate.image.unused-modules in src/pom.xml and UNUSED here name the same modules");

        final Set<String> needed = new TreeSet<>(Arrays.asList(jdeps("--print-module-deps").strip().split(",")));
        final Set<String> missing = new TreeSet<>(needed);
        missing.removeAll(image);
        missing.removeAll(UNUSED.keySet());
        assertTrue(missing.isEmpty(), "portgate.jar uses JDK modules the runtime image lacks: " + missing +
            "; add them to portgate.image.modules in src/pom.xml (jdeps found " + needed + ")");
    }

    @Test
    void theImageHasNoModuleThePortgateJarDoesNotNeed() throws Exception
    {
        // A module nothing uses is dead weight in every image and tarball: jdk.httpserver stayed listed once the
        // admin endpoint no longer ran on the JDK's HTTP server.
        final Set<String> image = listed("portgate.image.modules");
        final Set<String> needed = new TreeSet<>(Arrays.asList(jdeps("--print-module-deps").strip().split(",")));
        final Set<String> unneeded = new TreeSet<>(image);
        unneeded.removeAll(needed);
        assertTrue(unneeded.isEmpty(), "portgate.image.modules in src/pom.xml lists JDK modules portgate.jar does " +
            "not use: " + unneeded + "; remove them (jdeps found " + needed + ")");
    }

    @Test
    void onlyUnusedLibraryCodeReachesTheModulesTheImageLeavesOut() throws Exception
    {
        // jdeps -verbose:package prints "   FROM_PACKAGE   -> TO_PACKAGE   MODULE" for every dependency.
        final List<String> offending = new ArrayList<>();
        for (final String line : jdeps("-verbose:package").lines().toList())
        {
            final String[] f = line.strip().split("\\s+");
            if (f.length == 4 && f[1].equals("->") && UNUSED.containsKey(f[3]) &&
                UNUSED.get(f[3]).stream().noneMatch(f[0]::startsWith))
            {
                offending.add(line.strip());
            }
        }
        assertTrue(offending.isEmpty(), "code other than the unused library code reaches a module the image " +
            "leaves out; add the module to portgate.image.modules in src/pom.xml and remove it from " +
            "portgate.image.unused-modules:\n" + String.join("\n", offending));
    }

    private static Set<String> listed(final String property)
    {
        final String value = System.getProperty(property);
        assertNotNull(value, property + " is set by src/pom.xml for the *IT tests");
        return new LinkedHashSet<>(Arrays.asList(value.strip().split("\\s*,\\s*")));
    }

    private static String jdeps(final String option) throws Exception
    {
        final Path jdeps = Path.of(System.getProperty("java.home"), "bin", "jdeps");
        assertTrue(Files.isExecutable(jdeps), jdeps + " is missing: the build runs on a JDK, which has it");
        assertTrue(Files.isRegularFile(PortgateProcess.JAR), PortgateProcess.JAR + " is missing: run after package");
        final Process p = new ProcessBuilder(jdeps.toString(), option, "--ignore-missing-deps", "--multi-release",
            Integer.toString(Runtime.version().feature()), PortgateProcess.JAR.toString())
            .redirectErrorStream(true).start();
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(90, TimeUnit.SECONDS), "jdeps did not end");
        assertEquals(0, p.exitValue(), out);
        return out;
    }
}
