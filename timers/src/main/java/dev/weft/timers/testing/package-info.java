/**
 * JUnit 5 support: {@link dev.weft.timers.testing.WeftTest} runs a test on a runtime whose clock
 * is a paused, auto-advancing {@link dev.weft.timers.TestClock}. See {@link dev.weft.timers} for
 * the pitfalls of virtual time and how Weft avoids them.
 */
package dev.weft.timers.testing;
