package io.portgate.config;

/** What a pool does when every target is down. */
public enum AllDown implements ConfigEnum
{
    /** New connections and flows are refused and counted. */
    REJECT,
    /** Traffic is spread over all targets, as if all were up. */
    FAIL_OPEN;

    @Override
    public String toString()
    {
        return configName();
    }
}
