package io.portgate.config;

import java.util.Collection;
import java.util.Locale;

/** "Did you mean" for misspelt keys, values and names. */
public final class Suggest
{
    private Suggest()
    {
    }

    /**
     * The candidate closest to a misspelt word, if any is close enough to be what was meant.
     *
     * @param word       what was written.
     * @param candidates what may be written there.
     * @return the closest candidate, or null when none is close.
     */
    public static String closest(final String word, final Collection<String> candidates)
    {
        int longest = 0;
        for (final String candidate : candidates)
        {
            longest = Math.max(longest, candidate.length());
        }
        // Far longer than every candidate is no typo of one; and the distance table grows with the word's length.
        if (word.length() > 2 * longest + 3)
        {
            return null;
        }
        final String lower = word.toLowerCase(Locale.ROOT);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (final String candidate : candidates)
        {
            final int d = distance(lower, candidate.toLowerCase(Locale.ROOT));
            if (d < bestDistance)
            {
                best = candidate;
                bestDistance = d;
            }
        }
        final int allowed = Math.max(1, Math.min(3, word.length() / 3));
        if (best != null && (bestDistance <= allowed || isAbbreviation(lower, best.toLowerCase(Locale.ROOT))))
        {
            return best;
        }
        return null;
    }

    /**
     * A hint sentence: "did you mean 'x'?" when one is close, else the list of what is allowed.
     *
     * @param word       what was written.
     * @param candidates what may be written there.
     * @return the hint.
     */
    public static String hint(final String word, final Collection<String> candidates)
    {
        final String closest = closest(word, candidates);
        final String allowed = "expected one of: " + String.join(", ", candidates);
        return closest != null ? "did you mean '" + closest + "'? (" + allowed + ")" : allowed;
    }

    private static boolean isAbbreviation(final String word, final String candidate)
    {
        return word.length() >= 3 && (candidate.startsWith(word) || word.startsWith(candidate));
    }

    // Damerau-Levenshtein (optimal string alignment): a swapped pair of letters is one typo, not two.
    static int distance(final String a, final String b)
    {
        final int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++)
        {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++)
        {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++)
        {
            for (int j = 1; j <= b.length(); j++)
            {
                final int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1))
                {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
