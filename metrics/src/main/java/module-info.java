/** Weft metrics (see the module's issue; public packages are exported as they land). */
module dev.weft.metrics {
    requires transitive dev.weft.core;
    requires micrometer.core;
}
