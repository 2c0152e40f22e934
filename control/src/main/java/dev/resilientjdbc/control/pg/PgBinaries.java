package dev.resilientjdbc.control.pg;

import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.tukaani.xz.XZInputStream;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The PostgreSQL binaries shipped in zonky's binaries jar, unpacked once per machine.
 *
 * <p>Only zonky's resolver is used (to find the right archive); the unpacking is ours so that the
 * tree is readable and executable by the unprivileged user the server runs as when we are root.
 * The cache directory is named after the archive's SHA-256, so different binary versions never
 * collide, and it appears atomically (unpack to a private temp dir, then rename), so concurrent
 * JVMs either see a complete tree or none.
 */
public final class PgBinaries {

    private static final ReentrantLock LOCK = new ReentrantLock();
    private static Path installed;

    private PgBinaries() {
    }

    /** Directory holding {@code bin/}, {@code lib/} and {@code share/} of PostgreSQL; unpacks on first use. */
    public static Path installation() throws IOException {
        LOCK.lock();
        try {
            if (installed == null || !Files.isExecutable(installed.resolve("bin/postgres"))) {
                installed = unpack(readArchive(), cacheRoot());
            }
            return installed;
        } finally {
            LOCK.unlock();
        }
    }

    /** {@code ${java.io.tmpdir}/resilient-pg}: shared by every JVM on the machine. */
    public static Path cacheRoot() {
        return Path.of(System.getProperty("java.io.tmpdir"), "resilient-pg").toAbsolutePath();
    }

    private static byte[] readArchive() throws IOException {
        try (InputStream in = DefaultPostgresBinaryResolver.INSTANCE.getPgBinary(zonkySystemName(), System.getProperty("os.arch"))) {
            return in.readAllBytes();
        }
    }

    private static String zonkySystemName() {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        if (os.contains("mac") || os.contains("darwin")) {
            return "Darwin";
        }
        if (os.contains("win")) {
            return "Windows";
        }
        return "Linux";
    }

    private static Path unpack(byte[] archive, Path root) throws IOException {
        Path target = root.resolve(sha256(archive).substring(0, 24));
        if (Files.isExecutable(target.resolve("bin/postgres"))) {
            return target;
        }
        Files.createDirectories(root);
        makeTraversable(root);
        Path partial = root.resolve(target.getFileName() + ".partial-" + UUID.randomUUID());
        Files.createDirectory(partial);
        try {
            extract(archive, partial);
            makeTraversable(partial);
            try {
                Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException lostRace) {
                // Another JVM renamed its complete copy into place first; that one is as good as ours.
                if (!Files.isExecutable(target.resolve("bin/postgres"))) {
                    throw lostRace;
                }
            }
        } finally {
            if (Files.exists(partial, LinkOption.NOFOLLOW_LINKS)) {
                FileTrees.deleteRecursively(partial);
            }
        }
        return target;
    }

    private static void extract(byte[] archive, Path into) throws IOException {
        Path base = into.toAbsolutePath().normalize();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new XZInputStream(new ByteArrayInputStream(archive)))) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                Path out = base.resolve(entry.getName()).normalize();
                if (!out.startsWith(base)) {
                    throw new IOException("archive entry escapes the install directory: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(out);
                    Files.setPosixFilePermissions(out, PosixFilePermissions.fromString("rwxr-xr-x"));
                } else if (entry.isSymbolicLink()) {
                    Files.createDirectories(out.getParent());
                    Files.createSymbolicLink(out, Path.of(entry.getLinkName()));
                } else if (entry.isLink()) {
                    Files.createDirectories(out.getParent());
                    Files.copy(base.resolve(entry.getLinkName()).normalize(), out);
                } else {
                    Files.createDirectories(out.getParent());
                    Files.copy(tar, out);
                    Files.setPosixFilePermissions(out, readableByAll(entry.getMode()));
                }
            }
        }
    }

    // Everyone may read every file; whoever may execute it, everyone may.
    private static Set<PosixFilePermission> readableByAll(int mode) {
        Set<PosixFilePermission> perms = EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
                PosixFilePermission.GROUP_READ, PosixFilePermission.OTHERS_READ);
        if ((mode & 0111) != 0) {
            perms.add(PosixFilePermission.OWNER_EXECUTE);
            perms.add(PosixFilePermission.GROUP_EXECUTE);
            perms.add(PosixFilePermission.OTHERS_EXECUTE);
        }
        return perms;
    }

    private static void makeTraversable(Path dir) throws IOException {
        try {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException notOurs) {
            // Created by another user who already made it usable, or it is not: initdb will say so.
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException impossible) {
            throw new IllegalStateException(impossible);
        }
    }
}
