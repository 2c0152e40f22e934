package dev.resilientjdbc.bench;

import dev.resilientjdbc.sqlite.backup.Backup;
import dev.resilientjdbc.sqlite.backup.BackupSettings;
import dev.resilientjdbc.sqlite.backup.SqliteBackups;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * Issue 25's figures: the longest pause of 8 writers while a verified backup of a ~200 MB WAL database runs, against
 * the same writers with no backup running; and gzip's ratio and speed on that database at level 1 (what the driver
 * uses) and the default level 6.
 *
 * <p>Not JMH: one backup is one sample of seconds. Each writer commits one-row transactions on its own connection and
 * records the longest commit (begin to commit returned) in each phase: a baseline as long as the backup, then the backup.
 *
 * <p>Run: {@code java -cp bench/target/benchmarks.jar dev.resilientjdbc.bench.SqliteBackupPause [dir] [MB]}.
 */
public final class SqliteBackupPause {
    private static final int WRITERS = 8;

    private SqliteBackupPause() {}

    public static void main(String[] args) throws Exception {
        Path dir = Files.createDirectories(Path.of(args.length > 0 ? args[0] : "/tmp/sqlite-backup-bench"));
        int mb = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        Path db = dir.resolve("bench.db");
        if (!Files.exists(db)) {
            build(db, mb);
        }
        System.out.printf("database: %.1f MB%n", Files.size(db) / 1e6);
        for (boolean compress : new boolean[] {false, true}) {
            Path backups = dir.resolve(compress ? "gz" : "plain");
            BackupSettings settings = BackupSettings.in(backups).withKeep(1).withCompress(compress);
            // A first backup warms the caches and says how long one takes; the baseline runs that long with no backup.
            long alone = System.nanoTime();
            SqliteBackups.backup(db, settings);
            long aloneMs = (System.nanoTime() - alone) / 1_000_000;
            checkpoint(db);
            Phase base = writersWhile(db, () -> Thread.sleep(aloneMs));
            checkpoint(db);
            Phase during = writersWhile(db, () -> SqliteBackups.backup(db, settings));
            checkpoint(db);
            // Control: as much file reading and compressing, without touching the database: what CPU and disk
            // contention alone cost the writers on this machine.
            Path copy;
            try (var files = Files.list(backups)) {
                copy = files.filter(f -> f.toString().endsWith(".db") || f.toString().endsWith(".gz")).findFirst().orElseThrow();
            }
            Path scratch = dir.resolve("control.tmp");
            Phase control = writersWhile(db, () -> {
                long until = System.nanoTime() + during.wallMs * 1_000_000;
                while (System.nanoTime() < until) {
                    // The backup's own I/O without its database access: write a copy and sync it, then compress it.
                    try (InputStream in = Files.newInputStream(copy);
                         java.nio.channels.FileChannel out = java.nio.channels.FileChannel.open(scratch,
                                 java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE,
                                 java.nio.file.StandardOpenOption.TRUNCATE_EXISTING)) {
                        in.transferTo(java.nio.channels.Channels.newOutputStream(out));
                        out.force(true);
                    }
                    try (InputStream in = Files.newInputStream(scratch);
                         OutputStream o = new LevelGzip(OutputStream.nullOutputStream(), 1)) {
                        in.transferTo(o);
                    }
                }
            });
            Files.deleteIfExists(scratch);
            System.out.printf("compress=%s: backup alone %d ms, under 8 writers %d ms (verification included)%n"
                            + "  with the backup: %d commits, longest gap with no commit %.1f ms, longest single commit %.1f ms,"
                            + " p99.9 %.1f ms%n"
                            + "  baseline:        %d commits, longest gap with no commit %.1f ms, longest single commit %.1f ms,"
                            + " p99.9 %.1f ms%n",
                    compress, aloneMs, during.wallMs,
                    during.commits, during.maxGapMs, during.maxMs, during.p999Ms,
                    base.commits, base.maxGapMs, base.maxMs, base.p999Ms);
            System.out.printf("  control (the backup's file I/O: copy written and synced, then gzipped, in a loop; no database access): %d commits, longest gap %.1f ms,"
                    + " longest single commit %.1f ms, p99.9 %.1f ms; stored %.1f MB%n",
                    control.commits, control.maxGapMs, control.maxMs, control.p999Ms, Files.size(copy) / 1e6);
        }
        gzipLevels(dir.resolve("plain"));
    }

    private static void gzipLevels(Path plainDir) throws Exception {
        Path plain;
        try (var files = Files.list(plainDir)) {
            plain = files.filter(p -> p.toString().endsWith(".db")).findFirst().orElseThrow();
        }
        for (int level : new int[] {1, 6}) {
            Path out = plainDir.resolve("level" + level + ".gz");
            long t0 = System.nanoTime();
            try (InputStream in = Files.newInputStream(plain); OutputStream o = new LevelGzip(Files.newOutputStream(out), level)) {
                in.transferTo(o);
            }
            long ms = (System.nanoTime() - t0) / 1_000_000;
            System.out.printf("gzip level %d: %.1f MB -> %.1f MB (ratio %.2f) in %d ms (%.0f MB/s)%n", level,
                    Files.size(plain) / 1e6, Files.size(out) / 1e6, (double) Files.size(plain) / Files.size(out), ms,
                    Files.size(plain) / 1e6 / (ms / 1000.0));
            Files.delete(out);
        }
    }

    private static final class LevelGzip extends GZIPOutputStream {
        LevelGzip(OutputStream out, int level) throws java.io.IOException {
            super(out, 1 << 16);
            def.setLevel(level);
        }
    }

    interface Work {
        void run() throws Exception;
    }

    record Phase(long wallMs, long commits, double maxMs, double p999Ms, double maxGapMs, long storedBytes) {}

    private static void checkpoint(Path db) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement()) {
            st.execute("PRAGMA busy_timeout=30000");
            st.execute("PRAGMA wal_checkpoint(TRUNCATE)");
        }
    }

    private static Phase writersWhile(Path db, Work work) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong commits = new AtomicLong();
        List<long[]> samples = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.concurrent.CountDownLatch ready = new java.util.concurrent.CountDownLatch(WRITERS);
        List<long[]> ends = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            long[] lat = new long[2_000_000];
            long[] end = new long[2_000_000];
            samples.add(lat);
            ends.add(end);
            int id = w;
            Thread t = new Thread(() -> {
                int n = 0;
                try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
                    c.createStatement().execute("PRAGMA busy_timeout=30000");
                    c.setAutoCommit(false);
                    PreparedStatement ps = c.prepareStatement("INSERT INTO track(artist, title, plays) VALUES (?, ?, ?)");
                    ready.countDown();
                    while (!stop.get()) {
                        long t0 = System.nanoTime();
                        ps.setString(1, "writer " + id);
                        ps.setString(2, "live " + n);
                        ps.setInt(3, n);
                        ps.executeUpdate();
                        c.commit();
                        if (n < lat.length) {
                            long now = System.nanoTime();
                            lat[n] = now - t0;
                            end[n] = now;
                        }
                        n++;
                        commits.incrementAndGet();
                    }
                } catch (Throwable e) {
                    failures.add(e);
                } finally {
                    if (n < lat.length) {
                        lat[n] = -1;
                    }
                }
            }, "bench-writer-" + w);
            t.start();
            threads.add(t);
        }
        ready.await();
        long t0 = System.nanoTime();
        long[] stored = {0};
        work.run();
        long wall = (System.nanoTime() - t0) / 1_000_000;
        stop.set(true);
        for (Thread t : threads) {
            t.join();
        }
        if (!failures.isEmpty()) {
            throw new IllegalStateException("a writer failed", failures.get(0));
        }
        // The writers' pause: the longest time in which no writer committed, over the whole phase.
        long[] stamps = java.util.stream.LongStream.concat(java.util.stream.LongStream.of(t0, t0 + wall * 1_000_000),
                ends.stream().flatMapToLong(a -> java.util.Arrays.stream(a).takeWhile(x -> x > 0))).sorted().toArray();
        long gap = 0;
        for (int i = 1; i < stamps.length; i++) {
            if (stamps[i] <= t0 + wall * 1_000_000 && stamps[i - 1] >= t0) {
                gap = Math.max(gap, stamps[i] - stamps[i - 1]);
            }
        }
        long[] all = samples.stream().flatMapToLong(a -> java.util.Arrays.stream(a).takeWhile(x -> x > 0)).sorted().toArray();
        double max = all.length == 0 ? 0 : all[all.length - 1] / 1e6;
        double p999 = all.length == 0 ? 0 : all[(int) Math.min(all.length - 1, Math.floor(all.length * 0.999))] / 1e6;
        try (var files = Files.list(db.getParent())) {
            stored[0] = files.filter(Files::isDirectory).flatMap(d -> {
                try {
                    return Files.list(d);
                } catch (java.io.IOException e) {
                    return java.util.stream.Stream.empty();
                }
            }).filter(p -> p.toString().endsWith(".db") || p.toString().endsWith(".gz"))
                    .mapToLong(p -> p.toFile().length()).max().orElse(0);
        }
        return new Phase(wall, commits.get(), max, p999, gap / 1e6, stored[0]);
    }

    /** A music library of about {@code mb} MB: text that compresses as real text does, numbers, an index. */
    private static void build(Path db, int mb) throws SQLException {
        String[] words = ("love night heart blue river song dance fire rain sun moon road home dream light shadow"
                + " gold wild summer winter city train radio girl boy time world sky ocean storm").split(" ");
        Random r = new Random(42);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement st = c.createStatement()) {
            st.execute("PRAGMA journal_mode=WAL");
            st.execute("CREATE TABLE track(id INTEGER PRIMARY KEY, artist TEXT, title TEXT, album TEXT, path TEXT,"
                    + " plays INT, added INT, hash TEXT)");
            st.execute("CREATE INDEX track_artist ON track(artist, title)");
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO track(artist, title, album, path, plays, added, hash) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                long target = mb * 1_000_000L;
                for (int i = 0; ; i++) {
                    String artist = words[r.nextInt(words.length)] + " " + words[r.nextInt(words.length)];
                    String title = words[r.nextInt(words.length)] + " " + words[r.nextInt(words.length)] + " " + i;
                    String album = words[r.nextInt(words.length)] + " of " + words[r.nextInt(words.length)];
                    ps.setString(1, artist);
                    ps.setString(2, title);
                    ps.setString(3, album);
                    ps.setString(4, "/music/" + artist.replace(' ', '_') + "/" + album.replace(' ', '_') + "/" + i + ".flac");
                    ps.setInt(5, r.nextInt(500));
                    ps.setLong(6, 1_700_000_000L + r.nextInt(50_000_000));
                    ps.setString(7, Long.toHexString(r.nextLong()) + Long.toHexString(r.nextLong()));
                    ps.executeUpdate();
                    if (i % 50_000 == 0) {
                        c.commit();
                        if (Files.size(db) + fileSize(db.resolveSibling(db.getFileName() + "-wal")) > target) {
                            break;
                        }
                    }
                }
            } catch (java.io.IOException e) {
                throw new SQLException(e);
            }
            c.commit();
            c.setAutoCommit(true);
            st.execute("PRAGMA wal_checkpoint(TRUNCATE)");
        }
    }

    private static long fileSize(Path p) throws java.io.IOException {
        return Files.exists(p) ? Files.size(p) : 0;
    }
}
