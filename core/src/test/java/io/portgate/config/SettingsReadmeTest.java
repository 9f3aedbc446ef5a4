package io.portgate.config;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's "Configuration reference" is the settings table: every row of its tables (key, default, on reload,
 * meaning) must be what {@link Settings} says, in the same order, and the restart-only settings "Reloading" lists
 * must be the table's.
 */
class SettingsReadmeTest
{
    private static final Path README = Path.of("../README.md");

    @Test
    void everyReferenceTableIsTheSettingsTable() throws IOException
    {
        final String readme = Files.readString(README);
        final String reference = section(readme, "## Configuration reference", "\n## ");
        final Set<String> headings = new LinkedHashSet<>();
        for (final Setting.Scope scope : Setting.Scope.values())
        {
            if (scope.heading() != null)
            {
                headings.add(scope.heading());
            }
        }
        for (final String heading : headings)
        {
            final List<List<String>> rows = table(section(reference, "### " + heading + "\n", "\n### "));
            assertFalse(rows.isEmpty(), "no table under ### " + heading);
            assertEquals(List.of("key", "default", "on reload", "meaning"), rows.getFirst(), heading);
            final List<List<String>> expected = Settings.readmeRows(heading);
            final List<List<String>> written = rows.subList(1, rows.size());
            for (int i = 0; i < Math.max(expected.size(), written.size()); i++)
            {
                assertEquals(i < expected.size() ? expected.get(i) : null, i < written.size() ? written.get(i) : null,
                    "row " + (i + 1) + " of README.md's table under '### " + heading + "' is not what " +
                        "io.portgate.config.Settings says (key, default, on reload, meaning)");
            }
        }
    }

    @Test
    void theRestartOnlySettingsReloadingNamesAreTheTables() throws IOException
    {
        final String reloading = section(Files.readString(README), "## Reloading", "\n## ");
        final int start = reloading.indexOf("Some settings only take effect at the next start");
        assertTrue(start >= 0, "Reloading no longer names the settings that need a restart");
        final String sentence = reloading.substring(start, reloading.indexOf(". A listener's", start));
        final String list = sentence.substring(sentence.indexOf("in `restartRequired`:"));
        final Set<String> named = new LinkedHashSet<>();
        final Matcher key = Pattern.compile("`([a-z.*-]+)`").matcher(list);
        while (key.find())
        {
            if (key.group(1).endsWith(".*"))
            {
                final String prefix = key.group(1).substring(0, key.group(1).length() - 1);
                Settings.restartOnly().stream().filter(s -> s.startsWith(prefix)).forEach(named::add);
            }
            else if (!key.group(1).equals("restartRequired"))
            {
                named.add(key.group(1));
            }
        }
        assertEquals(Set.copyOf(Settings.restartOnly()), Set.copyOf(named), sentence);
    }

    @Test
    void simpleSettingsReadTheirDefaultWhenUnwritten()
    {
        // What the README shows as a default is what a configuration holds when the key is left out.
        final PortgateConfig config = ConfigParser.parse("t.yaml", """
            listeners:
              - name: web
                bind: 127.0.0.1:8080
                pool: web
            pools:
              web:
                port: 9000
                health: {}
                targets: [127.0.0.1]
            """).config();
        final List<String> mismatched = new ArrayList<>();
        check(Settings.global(), config, mismatched);
        check(Settings.LISTENER, config.listeners().getFirst(), mismatched);
        check(Settings.POOL, config.pools().get("web"), mismatched);
        check(Settings.HEALTH, config.pools().get("web").health(), mismatched);
        assertEquals(List.of(), mismatched);
    }

    private static <O> void check(final List<? extends Setting<O, ?>> settings, final O owner,
        final List<String> mismatched)
    {
        for (final Setting<O, ?> setting : settings)
        {
            if (setting.defaultValue() != null && !setting.defaultValue().equals(setting.get(owner)))
            {
                mismatched.add(setting.name() + ": default " + setting.defaultValue() + ", read " +
                    setting.get(owner));
            }
        }
    }

    private static String section(final String text, final String start, final String end)
    {
        final int from = text.indexOf(start);
        assertTrue(from >= 0, "no '" + start.trim() + "' in README.md");
        final int to = text.indexOf(end, from + start.length());
        return text.substring(from, to < 0 ? text.length() : to);
    }

    /** The first Markdown table of a section, without its separator row; each row its trimmed cells. */
    private static List<List<String>> table(final String section)
    {
        final List<List<String>> rows = new ArrayList<>();
        boolean inTable = false;
        for (final String line : section.split("\n"))
        {
            if (!line.startsWith("|"))
            {
                if (inTable)
                {
                    break;
                }
                continue;
            }
            inTable = true;
            if (line.matches("\\|[-| ]+\\|"))
            {
                continue;
            }
            final List<String> cells = new ArrayList<>();
            for (final String cell : line.substring(1, line.length() - 1).split(" \\| ", -1))
            {
                cells.add(cell.trim());
            }
            rows.add(cells);
        }
        return rows;
    }
}
