package dev.resilientjdbc.replay;

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
    LOST_COMMIT
}
