import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;

/**
 * Sums every interval of one tag in an HdrHistogram log written by {@code portgate bench --histogram-log} and prints
 * writes its percentile curve beside it ({@code LOG.curve.tsv}, tab-separated {@code percentile value_us} lines), the
 * input of the comparison's picture.
 *
 * <p>Run as a single-file source program with the harness jar on the class path (HdrHistogram is in it):
 * {@code java -cp src/target/portgate.jar bench/compare/HistogramCurve.java TAG LOG...}; one JVM for every log,
 * because compiling the source costs seconds. The percentiles step
 * geometrically towards 100 (as HdrHistogram's own percentile output does), so the tail is drawn in as much detail
 * as the middle.
 */
public final class HistogramCurve
{
    private static final int TICKS_PER_HALF_DISTANCE = 5;

    private HistogramCurve()
    {
    }

    /**
     * Prints the curve.
     *
     * @param args the tag to read, then the log files.
     * @throws IOException when a log cannot be read or a curve written.
     */
    public static void main(final String[] args) throws IOException
    {
        if (args.length < 2)
        {
            System.err.println("usage: HistogramCurve TAG LOG...");
            System.exit(2);
        }
        int failures = 0;
        for (int i = 1; i < args.length; i++)
        {
            final Histogram sum = read(new File(args[i]), args[0]);
            if (sum.getTotalCount() == 0)
            {
                System.err.println("HistogramCurve: no values tagged '" + args[0] + "' in " + args[i]);
                failures++;
                continue;
            }
            try (PrintStream out = new PrintStream(args[i] + ".curve.tsv", StandardCharsets.UTF_8))
            {
                sum.percentiles(TICKS_PER_HALF_DISTANCE).forEach(value ->
                    out.printf(Locale.ROOT, "%.5f\t%.3f%n", value.getPercentileLevelIteratedTo(),
                        value.getValueIteratedTo() / 1000.0));
            }
        }
        System.exit(failures == 0 ? 0 : 1);
    }

    private static Histogram read(final File log, final String tag) throws IOException
    {
        final Histogram sum = new Histogram(3);
        try (HistogramLogReader reader = new HistogramLogReader(log))
        {
            EncodableHistogram interval;
            while ((interval = reader.nextIntervalHistogram()) != null)
            {
                if (tag.equals(interval.getTag()) && interval instanceof Histogram histogram)
                {
                    sum.add(histogram);
                }
            }
        }
        return sum;
    }
}
