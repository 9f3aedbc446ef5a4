package io.portgate.config;

/** What a pool does when every target is down. */
public enum AllDown implements ConfigEnum
{
    /** New connections and flows are refused and counted. */
    REJECT("reject"),
    /** Traffic is spread over all targets, as if all were up. */
    FAIL_OPEN("fail-open");

    private final String configName;

    AllDown(final String configName)
    {
        this.configName = configName;
    }

    @Override
    public String configName()
    {
        return configName;
    }

    @Override
    public String toString()
    {
        return configName;
    }
}
