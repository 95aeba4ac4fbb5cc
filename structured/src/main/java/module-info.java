/** Weft structured (see the module's issue; public packages are exported as they land). */
module dev.weft.structured {
    requires transitive dev.weft.core;
}
