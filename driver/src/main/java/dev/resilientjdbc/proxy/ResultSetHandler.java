package dev.resilientjdbc.proxy;

import dev.resilientjdbc.replay.ResultSetTrack;

import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** Handler of ResultSet proxies; the hot path of every application. */
final class ResultSetHandler extends JdbcHandler {
    // The real result set; for one read inside a recorded transaction, its ResultSetTrack (a replay moves the track
    // to the replayed result set), so that a result set outside one costs no object besides the proxy and this.
    // Drivers that reuse one result set object per statement (sqlite-jdbc) get the same proxy with a new source.
    private volatile Object source;
    private final ConnectionHandler connection;
    // The physical connection this result set was read from: lost if a call on it finds the connection gone.
    private final Connection owner;
    // The statement proxy that produced this result set; null for metadata result sets until asked.
    private StatementHandler statement;

    ResultSetHandler(Object source, ConnectionHandler connection, StatementHandler statement, Connection owner) {
        this.source = source;
        this.connection = connection;
        this.statement = statement;
        this.owner = owner;
    }

    void retrack(Object source) {
        this.source = source;
    }

    /** The result set {@code source} stands for now. */
    static ResultSet real(Object source) {
        return source instanceof ResultSetTrack ? ((ResultSetTrack) source).real() : (ResultSet) source;
    }

    /** The track recording reads from {@code source}, or null when nothing is recorded. */
    private static ResultSetTrack recording(Object source) {
        return source instanceof ResultSetTrack && ((ResultSetTrack) source).recorded() ? (ResultSetTrack) source : null;
    }

    /** The real result set when reads from it go straight to it (nothing recorded), else null: DirectResultSet's hot path. */
    ResultSet plain() {
        Object source = this.source;
        // One type check per call (every next() and getter of a DirectResultSet comes here), not recording()'s and real()'s.
        if (!(source instanceof ResultSetTrack)) {
            return (ResultSet) source;
        }
        ResultSetTrack track = (ResultSetTrack) source;
        return track.recorded() ? null : track.real();
    }

    @Override
    ResultSet delegate() {
        return real(source);
    }

    @Override
    Object describe() {
        return real(source);
    }

    @Override
    Object handle(MethodInfo info, Method method, Object[] args) throws Throwable {
        Object source = this.source;
        ResultSetTrack track = recording(source);
        if (info.read != ResultSetReads.NONE && track == null) {
            // next() and the getters outside a recorded transaction: nothing to record and a plain answer, so the
            // call goes straight to the real result set (what the rest of this method does, without reflection).
            try {
                return ResultSetReads.read(info.read, real(source), args);
            } catch (SQLException e) {
                throw unrecoverable(e); // what recover() does for a track that records nothing
            }
        }
        if (info.mayTakeArray) {
            args = ProxyFactory.realArguments(args);
        }
        Object result;
        try {
            result = callOn(real(source), method, args);
        } catch (SQLException e) {
            result = recover(e, method, args);
        }
        if (track != null) {
            if (info.observed) {
                track.log().recordRead(track, method, args, result);
            } else if (info.special == MethodInfo.Special.CLOSE) {
                track.closed();
            }
        }
        if (info.returns == MethodInfo.Returns.PLAIN || result == null) {
            return result;
        }
        if (info.special == MethodInfo.Special.GET_STATEMENT) {
            return statementProxy((Statement) result);
        }
        if (result instanceof java.sql.Array) {
            return ProxyFactory.array((java.sql.Array) result, connection);
        }
        if (result instanceof ResultSet) {
            // A result set inside a result set (a refcursor column): its parent is our statement.
            return ProxyFactory.resultSet(result, connection, statement, owner);
        }
        return result;
    }

    private Object recover(SQLException e, Method method, Object[] args) throws Throwable {
        ResultSetTrack track = recording(this.source);
        return connection.logical().resultSetReadFailed(e, track, method, args, owner,
                track == null ? null : () -> callOn(track.real(), method, args));
    }

    /** See {@link dev.resilientjdbc.connection.LogicalConnection#resultSetLost}. Returns {@code e}, for the caller to throw. */
    SQLException unrecoverable(SQLException e) {
        return connection.logical().resultSetLost(e, owner);
    }

    private Statement statementProxy(Statement realStatement) {
        if (statement == null || statement.lastPhysical() != realStatement) {
            // Metadata result sets come from statements the real driver made itself: wrap those too,
            // so their getConnection() leads back to the application's connection proxy.
            statement = ProxyFactory.foreignStatement(realStatement, connection);
        }
        return statement.proxy();
    }
}
