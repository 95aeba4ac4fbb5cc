/** Weft fs (see the module's issue; public packages are exported as they land). */
module dev.weft.fs {
    requires transitive dev.weft.core;
}
