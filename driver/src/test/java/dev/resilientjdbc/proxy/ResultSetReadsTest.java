package dev.resilientjdbc.proxy;

import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The direct row reads call exactly the method the application called, with its argument, and answer what it answered. */
class ResultSetReadsTest {

    @Test
    void eachReadCallsItsOwnMethod() throws SQLException {
        AtomicReference<Method> called = new AtomicReference<>();
        AtomicReference<Object> argument = new AtomicReference<>();
        ResultSet fake = (ResultSet) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[]{ResultSet.class},
                (p, m, a) -> {
                    called.set(m);
                    argument.set(a == null ? null : a[0]);
                    return answer(m.getReturnType());
                });
        int direct = 0;
        for (Method m : ResultSet.class.getMethods()) {
            int code = ResultSetReads.of(m);
            if (code == ResultSetReads.NONE) {
                continue;
            }
            direct++;
            Object arg = m.getParameterCount() == 0 ? null : m.getParameterTypes()[0] == int.class ? (Object) 7 : "col";
            Object result = ResultSetReads.read(code, fake, arg == null ? null : new Object[]{arg});
            assertEquals(m, called.get(), m.toString());
            assertEquals(arg, argument.get(), m.toString());
            assertEquals(answer(m.getReturnType()), result, m.toString());
        }
        assertEquals(16, direct, "next, wasNull and seven getters by index and by label");
    }

    @Test
    void failuresComeOutAsTheDriverThrewThem() {
        SQLException thrown = new SQLException("gone", "08006");
        ResultSet fake = (ResultSet) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[]{ResultSet.class},
                (p, m, a) -> {
                    throw thrown;
                });
        try {
            ResultSetReads.read(ResultSetReads.of(ResultSet.class.getMethod("getInt", int.class)), fake, new Object[]{1});
        } catch (SQLException e) {
            assertSame(thrown, e);
            return;
        } catch (NoSuchMethodException e) {
            throw new AssertionError(e);
        }
        assertTrue(false, "no exception");
    }

    private static Object answer(Class<?> type) {
        if (type == boolean.class) {
            return true;
        }
        if (type == int.class) {
            return 1234;
        }
        if (type == long.class) {
            return 1234L;
        }
        if (type == double.class) {
            return 12.5;
        }
        if (type == String.class) {
            return "text";
        }
        if (type == java.math.BigDecimal.class) {
            return java.math.BigDecimal.TEN;
        }
        if (type == java.sql.Timestamp.class) {
            return new java.sql.Timestamp(0);
        }
        return null;
    }
}
