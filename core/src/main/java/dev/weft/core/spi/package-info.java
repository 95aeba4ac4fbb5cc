/**
 * Hooks Weft's own modules use to park and wake tasks, place them on carriers, arm timers on the
 * carriers' wheels and read runtime statistics. Exported only to Weft's modules; not an API for
 * users, and it may change in any release.
 */
package dev.weft.core.spi;
