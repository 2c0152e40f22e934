package dev.resilientjdbc.control.pg;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Directory-tree chores: delete (without following links) and read a log's tail. */
public final class FileTrees {

    private FileTrees() {
    }

    public static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
                if (exc instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                throw exc;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                if (exc != null && !(exc instanceof NoSuchFileException)) {
                    throw exc;
                }
                Files.deleteIfExists(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** The last {@code lines} lines of a text file (at most its last 64 KiB), or a note saying why there are none. */
    static String tail(Path file, int lines) {
        try (SeekableByteChannel in = Files.newByteChannel(file)) {
            long size = in.size();
            int window = (int) Math.min(size, 64 * 1024);
            ByteBuffer buffer = ByteBuffer.allocate(window);
            in.position(size - window);
            while (buffer.hasRemaining() && in.read(buffer) >= 0) {
                // keep reading until the window is full
            }
            String[] all = new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8).split("\\R");
            int from = Math.max(0, all.length - lines);
            return String.join(System.lineSeparator(), Arrays.asList(all).subList(from, all.length));
        } catch (IOException e) {
            return "(no log at " + file + ": " + e + ")";
        }
    }
}
