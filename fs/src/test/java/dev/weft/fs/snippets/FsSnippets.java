package dev.weft.fs.snippets;

import dev.weft.core.WeftRuntime;
import dev.weft.fs.DirStream;
import dev.weft.fs.FileHandle;
import dev.weft.fs.Fs;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** The examples the package documentation shows; {@code FsSnippetsTest} runs them. */
public final class FsSnippets {
    private FsSnippets() {}

    /** Writes, reads, lists and reads at an offset inside a task; returns the names listed. */
    public static String basics(Path dir) throws Exception {
        // @start region="basics"
        try (WeftRuntime rt = WeftRuntime.builder().carriers(1).build()) {
            return rt.run(() -> {
                Path file = dir.resolve("hello.txt");
                Fs.writeString(file, "hello, files");              // parks the task, never the carrier
                String text = Fs.readString(file);
                StringBuilder names = new StringBuilder();
                try (DirStream entries = Fs.list(dir)) {             // streamed in batches
                    for (Path p : entries) {
                        names.append(p.getFileName());
                    }
                }
                try (FileHandle f = FileHandle.open(file)) {
                    byte[] word = new byte[5];
                    f.readExactAt(7, word, 0, 5);                   // "files"
                    return text + " / " + names + " / " + new String(word, StandardCharsets.UTF_8)
                            + " via " + Fs.backend();
                }
            });
        }
        // @end
    }
}
