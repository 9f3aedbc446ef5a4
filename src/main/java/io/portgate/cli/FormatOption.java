package io.portgate.cli;

/** Output formats the commands offer. */
enum FormatOption
{
    text, json, markdown
}
