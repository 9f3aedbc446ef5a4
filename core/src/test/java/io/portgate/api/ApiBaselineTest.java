package io.portgate.api;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The compatibility check (README, "Embedding", versioning): the exported API, rendered from the compiled classes
 * ({@link ExportedApi}), must equal the recorded baseline {@code core/api/portgate-core.api}. A change fails until it
 * is recorded: an addition with {@code -Dportgate.api.record=true}; a removal or a changed signature, which breaks
 * embedders, only with {@code -Dportgate.api.record=breaking} and a version whose breaking part (the major version,
 * or the minor one while it is 0.x) differs from the one the baseline was recorded at.
 */
class ApiBaselineTest
{
    private static final Path BASELINE = Path.of("api/portgate-core.api");
    private static final Path CLASSES = Path.of("target/classes");
    private static final String HEADER = "# portgate-core exported API, recorded at version ";

    @Test
    void publicSignaturesNameOnlyTheJdkAndTheExportedPackages() throws Exception
    {
        final Set<String> foreign = ExportedApi.foreignTypes(ExportedApi.types(CLASSES));
        assertTrue(foreign.isEmpty(), "public signatures of the exported packages must use no third-party or " +
            "internal type (wrap it, or move the member to an internal package):\n" + String.join("\n", foreign));
    }

    @Test
    void theExportedApiMatchesTheRecordedBaseline() throws Exception
    {
        final Set<String> now = ExportedApi.render(ExportedApi.types(CLASSES));
        final String version = projectVersion();
        final String record = System.getProperty("portgate.api.record", "");
        final List<String> lines = Files.exists(BASELINE) ? Files.readAllLines(BASELINE) : List.of();
        final String recordedAt = lines.isEmpty() || !lines.getFirst().startsWith(HEADER) ? null :
            lines.getFirst().substring(HEADER.length());
        final Set<String> baseline = new TreeSet<>(lines.stream().filter(l -> !l.startsWith("#")).toList());
        final List<String> removed = new ArrayList<>(baseline);
        removed.removeAll(now);
        final List<String> added = new ArrayList<>(now);
        added.removeAll(baseline);
        if (removed.isEmpty() && added.isEmpty())
        {
            return;
        }
        final boolean breaking = !removed.isEmpty();
        // A baseline recorded at this same -SNAPSHOT version was never released: nothing an embedder compiled
        // against it can break, so it may change in any way until the release.
        final boolean unreleased = recordedAt != null && recordedAt.equals(version) && version.endsWith("-SNAPSHOT");
        if (record.equals("true") && !breaking || record.equals("breaking") &&
            (recordedAt == null || unreleased || !breakingPart(recordedAt).equals(breakingPart(version))))
        {
            final List<String> out = new ArrayList<>();
            out.add(HEADER + version);
            out.add("# Rendered by ApiBaselineTest from the compiled classes; record a change as README \"Embedding\" says.");
            out.addAll(now);
            Files.write(BASELINE, out);
            return;
        }
        fail((breaking && unreleased ? "The exported API changed since the baseline recorded at " + version +
            ", which is not released yet: record it with -Dportgate.api.record=breaking (./mvnw -B test -pl core " +
            "-Dtest=ApiBaselineTest -Dportgate.api.record=breaking).\n" : breaking ?
            "BREAKING change to the exported API: an embedder compiled against " + recordedAt +
            " breaks. Announce it: raise the version's breaking part (now " + version + "; the major version, or " +
            "the minor one while it is 0.x), then record it with -Dportgate.api.record=breaking.\n" :
            "The exported API grew; record the additions with -Dportgate.api.record=true (" +
                "./mvnw -B test -pl core -Dtest=ApiBaselineTest -Dportgate.api.record=true).\n") +
            "removed or changed:\n  " + String.join("\n  ", removed) + "\nadded:\n  " + String.join("\n  ", added));
    }

    @Test
    void theBaselineRecordsTheThreeExportedPackages() throws Exception
    {
        final List<String> lines = Files.readAllLines(BASELINE);
        assertTrue(lines.getFirst().startsWith(HEADER), lines.getFirst());
        final Set<String> packages = new TreeSet<>();
        for (final String line : lines.subList(2, lines.size()))
        {
            final String type = line.substring(0, line.indexOf(" :: "));
            packages.add(type.substring(0, type.lastIndexOf('.')).replaceAll("\\.[A-Z].*$", ""));
        }
        assertEquals(new TreeSet<>(ExportedApi.PACKAGES), packages);
    }

    private static String breakingPart(final String version)
    {
        final Matcher m = Pattern.compile("(\\d+)\\.(\\d+)").matcher(version);
        if (!m.find())
        {
            return version;
        }
        return m.group(1).equals("0") ? "0." + m.group(2) : m.group(1);
    }

    private static String projectVersion() throws Exception
    {
        final String pom = Files.readString(Path.of("pom.xml"));
        final Matcher m = Pattern.compile("<parent>.*?<version>([^<]+)</version>", Pattern.DOTALL).matcher(pom);
        assertTrue(m.find(), "core/pom.xml names its parent's version");
        return m.group(1);
    }
}
