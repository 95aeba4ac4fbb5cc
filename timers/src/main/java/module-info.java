/** Weft timers (see the module's issue; public packages are exported as they land). */
module dev.weft.timers {
    requires transitive dev.weft.core;
}
