/**
 * Health: whether targets answer on their internal port and their health port.
 *
 * <p>{@link io.portgate.health.DirectCheck} makes one-off direct requests, as {@code portgate check --live} does.
 */
package io.portgate.health;
