package dev.resilientjdbc.it.replay;

/** A real fault the fuzzer injects just before a step of a program runs (NONE first: jqwik shrinks towards it). */
enum FuzzFault {
    NONE,
    /** pg_terminate_backend of every client backend: the session dies, the server stays up. */
    TERMINATE,
    /** Every TCP connection through the chaos proxy reset with RST. */
    CUT,
    /** Fast shutdown and start of the server, same port and data. */
    RESTART,
    /** kill -9 of every server process, then a start with crash recovery. */
    CRASH,
    /** Only on a commit step: the server gets the COMMIT, its reply is lost on that one connection. */
    LOST_COMMIT,
    /** Only on a commit step: the COMMIT never reaches the server, which is then killed (kill -9) and restarted. */
    COMMIT_DROPPED_CRASH,
    /** Only on a commit step: the server gets the COMMIT, its reply is lost, then the server is killed and restarted. */
    REPLY_LOST_CRASH;

    /** Strikes a COMMIT on its way: meaningless on a rollback. */
    boolean atCommitOnly() {
        return this == LOST_COMMIT || this == COMMIT_DROPPED_CRASH || this == REPLY_LOST_CRASH;
    }
}
