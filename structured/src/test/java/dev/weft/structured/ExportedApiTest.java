package dev.weft.structured;

import dev.weft.core.testsupport.ApiSurface;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.StructuredTaskScope;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The public surface of the structured module names no preview type of the JDK
 * ({@code java.util.concurrent.StructuredTaskScope} and its nested types: a caller would need
 * {@code --enable-preview} to compile against it, and the API may change in the next JDK), nor
 * anything from core's {@code spi} or an {@code internal} package, which modular users cannot see.
 * (Tests run on the class path, where the module system would not catch the latter.)
 */
class ExportedApiTest {

    /** Every public type of the exported package (nested public types are found from these). */
    private static final List<Class<?>> API = List.of(Clauses.class, DeadlineExceededException.class, Fork.class,
            ForkFailedException.class, JoinResult.class, JoinSet.class, Scope.class, Structured.class,
            Tuple2.class, Tuple3.class, Tuple4.class, Tuple5.class, Tuple6.class);

    @Test
    void publicSignaturesNameNoPreviewOrInternalType() {
        assertEquals(List.of(), ApiSurface.forbiddenNames(API, ExportedApiTest::forbidden),
                "public API names JDK preview or Weft-internal types");
    }

    /** The check itself sees a preview type wherever a signature names it. */
    @Test
    void checkFindsPreviewTypes() {
        List<String> bad = ApiSurface.forbiddenNames(List.of(LeaksPreview.class), ExportedApiTest::forbidden);
        assertEquals(3, bad.size(), "return type, parameter and field each leak a preview type: " + bad);
    }

    /** Not API: a type whose signatures leak the preview API, to show the check can fail. */
    public static final class LeaksPreview {
        public StructuredTaskScope.Subtask<String> subtask;

        public StructuredTaskScope.Joiner<String, Void> joiner() {
            return null;
        }

        public void use(List<? extends StructuredTaskScope<String, Void>> scopes) {
        }
    }

    private static boolean forbidden(String className) {
        return className.startsWith(StructuredTaskScope.class.getName()) || ApiSurface.hiddenWeftType(className);
    }
}
