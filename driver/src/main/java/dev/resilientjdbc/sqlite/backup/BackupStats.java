package dev.resilientjdbc.sqlite.backup;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/** What backups of one file did in this JVM: made (verified), failed verification, restored, and the newest verified one's time. */
public final class BackupStats {
    final AtomicLong made = new AtomicLong();
    final AtomicLong failedVerification = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    final AtomicLong restored = new AtomicLong();
    final AtomicReference<Instant> newestVerified = new AtomicReference<>();

    public long made() {
        return made.get();
    }

    public long failedVerification() {
        return failedVerification.get();
    }

    /** Backups that could not be made at all (I/O, SQLite errors), apart from those that failed verification. */
    public long failed() {
        return failed.get();
    }

    public long restored() {
        return restored.get();
    }

    /** Seconds since the newest verified backup was taken; -1 when none is known. */
    public long newestVerifiedAgeSeconds() {
        Instant t = newestVerified.get();
        return t == null ? -1 : Math.max(0, java.time.Duration.between(t, Instant.now()).toSeconds());
    }

    void sawVerified(Instant at) {
        newestVerified.accumulateAndGet(at, (a, b) -> a == null || b.isAfter(a) ? b : a);
    }
}
