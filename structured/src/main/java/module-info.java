/**
 * Weft structured concurrency: scopes on {@code StructuredTaskScope} (preview in JDK 25, never
 * exposed), join, tryJoin, race, timeout, lossless select, JoinSet.
 */
module dev.weft.structured {
    requires transitive dev.weft.core;

    exports dev.weft.structured;
}
