/**
 * Weft metrics: Micrometer binders for a {@link dev.weft.core.WeftRuntime} (tasks, carriers,
 * blocking pool, timers, slow slices, virtual-thread pinning). See {@link dev.weft.metrics}.
 */
// micrometer-core is an automatic module (Automatic-Module-Name only); its types are in this API.
@SuppressWarnings("requires-transitive-automatic")
module dev.weft.metrics {
    requires transitive dev.weft.core;
    requires transitive micrometer.core;
    requires dev.weft.net;
    requires dev.weft.fs;
    // virtual-thread pinning is read from JFR's jdk.VirtualThreadPinned events (optional at run time)
    requires jdk.jfr;

    exports dev.weft.metrics;
}
