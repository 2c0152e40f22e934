package dev.resilientjdbc.sqlite.backup;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * How a backup is stored: gzip from java.util.zip at its fastest level (measured on a 200 MB database in
 * bench/RESULTS.md; no library added to the driver jar), or the plain file. Every copy out computes the SHA-256
 * of the database bytes on the way.
 */
final class Codec {
    private static final int BUFFER = 1 << 16;

    private Codec() {}

    /** Writes {@code from} compressed into {@code to}. */
    static void compress(Path from, Path to) throws IOException {
        try (InputStream in = Files.newInputStream(from);
             OutputStream out = new FastGzip(Files.newOutputStream(to))) {
            in.transferTo(out);
        }
    }

    /** Writes the database held in {@code stored} (compressed or not) to {@code to}; returns its SHA-256 in hex. */
    static String expand(Path stored, boolean compressed, Path to) throws IOException {
        MessageDigest sha = sha256();
        try (InputStream raw = Files.newInputStream(stored);
             InputStream in = new DigestInputStream(compressed ? new GZIPInputStream(raw, BUFFER) : raw, sha);
             OutputStream out = Files.newOutputStream(to)) {
            in.transferTo(out);
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    private static final class FastGzip extends GZIPOutputStream {
        FastGzip(OutputStream out) throws IOException {
            super(out, BUFFER);
            def.setLevel(Deflater.BEST_SPEED);
        }
    }
}
