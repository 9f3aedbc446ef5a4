package io.portgate.config;

/** What happens to open connections of a target that goes down. */
public enum OnDown implements ConfigEnum
{
    /** They keep going until either side closes them. */
    KEEP,
    /** They are closed at once. */
    CLOSE;

    @Override
    public String toString()
    {
        return configName();
    }
}
