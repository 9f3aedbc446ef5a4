package io.portgate.config;

/** What happens to open connections of a target that goes down. */
public enum OnDown implements ConfigEnum
{
    /** They keep going until either side closes them. */
    KEEP("keep"),
    /** They are closed at once. */
    CLOSE("close");

    private final String configName;

    OnDown(final String configName)
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
