package dev.resilientjdbc.faulty;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.DriverPropertyInfo;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.Properties;
import java.util.logging.Logger;

/**
 * {@code jdbc:faulty:<real URL without jdbc:>?faulty.plan=NAME}: a real connection whose calls fail
 * as the registered {@link FaultPlan} says. For unit tests of the retry layer; claims about
 * resilience are made against real faults, never against this alone.
 */
public final class FaultyDriver implements Driver {
    public static final String PREFIX = "jdbc:faulty:";
    private static final String PLAN_PARAM = "faulty.plan=";

    static {
        try {
            DriverManager.registerDriver(new FaultyDriver());
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public boolean acceptsURL(String url) {
        return url != null && url.startsWith(PREFIX) && url.length() > PREFIX.length();
    }

    @Override
    public Connection connect(String url, Properties info) throws SQLException {
        if (!acceptsURL(url)) {
            return null;
        }
        String rest = "jdbc:" + url.substring(PREFIX.length());
        int at = rest.indexOf(PLAN_PARAM);
        if (at < 0) {
            throw new SQLException("jdbc:faulty: URLs name their plan with ?faulty.plan=NAME: " + url);
        }
        int end = rest.indexOf('&', at);
        String planName = rest.substring(at + PLAN_PARAM.length(), end < 0 ? rest.length() : end);
        FaultPlan plan = FaultPlan.find(planName);
        if (plan == null) {
            throw new SQLException("no fault plan registered under '" + planName + "'");
        }
        String realUrl = (rest.substring(0, at) + (end < 0 ? "" : rest.substring(end + 1))).replaceAll("[?&]$", "");
        SQLException fault = plan.before("connect");
        if (fault != null) {
            throw fault;
        }
        Connection real = DriverManager.getConnection(realUrl, info);
        SQLException late = plan.after("connect");
        if (late != null) {
            real.close();
            throw late;
        }
        return (Connection) wrap(real, Connection.class, plan);
    }

    static Object wrap(Object real, Class<?> type, FaultPlan plan) {
        return Proxy.newProxyInstance(FaultyDriver.class.getClassLoader(), new Class<?>[]{type}, new Handler(real, plan));
    }

    private static final class Handler implements InvocationHandler {
        private final Object real;
        private final FaultPlan plan;

        Handler(Object real, FaultPlan plan) {
            this.real = real;
            this.plan = plan;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            String name = method.getName();
            if (method.getDeclaringClass() == Object.class) {
                switch (name) {
                    case "equals": return proxy == args[0];
                    case "hashCode": return System.identityHashCode(proxy);
                    default: return "Faulty[" + real + "]";
                }
            }
            SQLException fault = plan.before(name);
            if (fault != null) {
                throw fault;
            }
            Object result;
            try {
                result = method.invoke(real, args);
            } catch (InvocationTargetException e) {
                if (e.getCause() instanceof SQLException) {
                    plan.failed(name, (SQLException) e.getCause());
                }
                throw e.getCause();
            }
            SQLException late = plan.after(name);
            if (late != null) {
                throw late;
            }
            return wrapResult(result, method.getReturnType());
        }

        private Object wrapResult(Object result, Class<?> declared) {
            if (result == null) {
                return null;
            }
            if (declared == CallableStatement.class) return wrap(result, CallableStatement.class, plan);
            if (declared == PreparedStatement.class) return wrap(result, PreparedStatement.class, plan);
            if (declared == Statement.class) return wrap(result, Statement.class, plan);
            if (declared == ResultSet.class) return wrap(result, ResultSet.class, plan);
            if (declared == DatabaseMetaData.class) return wrap(result, DatabaseMetaData.class, plan);
            return result;
        }
    }

    @Override
    public DriverPropertyInfo[] getPropertyInfo(String url, Properties info) {
        return new DriverPropertyInfo[0];
    }

    @Override
    public int getMajorVersion() {
        return 0;
    }

    @Override
    public int getMinorVersion() {
        return 1;
    }

    @Override
    public boolean jdbcCompliant() {
        return false;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException("faulty driver has no logger");
    }
}
