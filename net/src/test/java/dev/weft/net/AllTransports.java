package dev.weft.net;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A test that runs once per transport, named after it: {@code [IO_URING]}, {@code [EPOLL]},
 * {@code [NIO]}, {@code [KQUEUE]}. The test builds its runtime with
 * {@link TcpTransportConformanceTest#runtime}, which skips the transports that do not load here
 * (with Netty's reason), so every transport that does load is covered without a list per machine.
 * Surefire's reports number the runs in the enum's order instead: {@code [1]} io_uring,
 * {@code [2]} epoll, {@code [3]} kqueue, {@code [4]} NIO.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@ParameterizedTest(name = "[{0}]")
@EnumSource(value = dev.weft.core.Transport.class, names = {"IO_URING", "EPOLL", "NIO", "KQUEUE"})
@interface AllTransports {}
