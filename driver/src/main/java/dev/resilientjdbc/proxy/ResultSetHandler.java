package dev.resilientjdbc.proxy;

import dev.resilientjdbc.classify.FailureClass;
import dev.resilientjdbc.replay.ResultSetTrack;

import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** Handler of ResultSet proxies; the hot path of every application. */
final class ResultSetHandler extends JdbcHandler {
    // Drivers that reuse one result set object per statement (sqlite-jdbc) get the same proxy with a new track.
    private volatile ResultSetTrack track;
    private final ConnectionHandler connection;
    // The physical connection this result set was read from: lost if a call on it finds the connection gone.
    private final Connection owner;
    // The statement proxy that produced this result set; null for metadata result sets until asked.
    private StatementHandler statement;

    ResultSetHandler(ResultSetTrack track, ConnectionHandler connection, StatementHandler statement, Connection owner) {
        this.track = track;
        this.connection = connection;
        this.statement = statement;
        this.owner = owner;
    }

    void retrack(ResultSetTrack t) {
        this.track = t;
    }

    @Override
    ResultSet delegate() {
        return track.real();
    }

    @Override
    Object describe() {
        return track.real();
    }

    @Override
    Object handle(MethodInfo info, Method method, Object[] args) throws Throwable {
        ResultSetTrack track = this.track;
        if (info.read != ResultSetReads.NONE && !track.recorded()) {
            // next() and the getters outside a recorded transaction: nothing to record and a plain answer, so the
            // call goes straight to the real result set (what the rest of this method does, without reflection).
            try {
                return ResultSetReads.read(info.read, track.real(), args);
            } catch (SQLException e) {
                throw unrecoverable(e); // what recover() does for a track that records nothing
            }
        }
        if (info.mayTakeArray) {
            args = ProxyFactory.realArguments(args);
        }
        Object result;
        try {
            result = callOn(track.real(), method, args);
        } catch (SQLException e) {
            result = recover(e, method, args);
        }
        if (track.recorded()) {
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
            return ProxyFactory.resultSet(new ResultSetTrack((ResultSet) result, null), connection, statement, owner);
        }
        return result;
    }

    private Object recover(SQLException e, Method method, Object[] args) throws Throwable {
        ResultSetTrack track = this.track;
        var logical = connection.logical();
        if (!logical.isClosed() && track.recorded() && logical.log() == track.log() && logical.log().replayable()) {
            // Inside a replayable transaction: replay it, then read on from the replayed result set.
            return logical.inTransaction(() -> callOn(track.real(), method, args), null, true);
        }
        throw unrecoverable(e);
    }

    /**
     * Rows already read stay readable; a result set whose connection died cannot go on. The next call on
     * the connection reconnects. Returns {@code e}, for the caller to throw.
     */
    private SQLException unrecoverable(SQLException e) {
        var logical = connection.logical();
        if (!logical.isClosed() && logical.classify(e) == FailureClass.CONNECTION) {
            logical.lost(owner);
        }
        return e;
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
