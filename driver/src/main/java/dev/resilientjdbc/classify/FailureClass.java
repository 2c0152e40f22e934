package dev.resilientjdbc.classify;

/** What kind of failure an SQLException reports, and so what the driver may do about it. */
public enum FailureClass {
    /** The connection is gone or could not be made: reconnect, then retry or replay where the safety rules allow. */
    CONNECTION,
    /** The database rolled the transaction back (deadlock, serialization failure): run it again. */
    TRANSACTION,
    /** A lock or a busy file stopped the statement before it did anything: back off and run it again. */
    BUSY,
    /** The server is out of a resource (connections, memory): back off and retry the connect. */
    RESOURCE,
    /** A write reached a read-only server (a standby after failover): reconnect to a primary. */
    READ_ONLY,
    /** Everything else, and everything unknown: the application gets it at once, unchanged. */
    FATAL
}
