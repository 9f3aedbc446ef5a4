package io.portgate.bench.reliability;

/**
 * One scenario of the reliability suite: it drives real {@code ./portgate run} processes and real clients on
 * 127.0.0.1, bounded in time and count, and ends in a figure and a verdict.
 */
interface Scenario
{
    /** @return a short name, used by {@code --only} and in the report. */
    String name();

    /** @return one line: what it does and what passing means. */
    String what();

    /**
     * Whether a FAIL of it fails the suite's exit status. Scenarios whose fix has not landed yet are not required:
     * they report their honest FAIL and the figure behind it without failing CI.
     *
     * @return true when required.
     */
    boolean required();

    /**
     * Runs it.
     *
     * @param context the suite's settings and scratch space.
     * @return the figure and verdict.
     * @throws Exception when it could not run at all; reported as ERROR.
     */
    Outcome run(SuiteContext context) throws Exception;
}
