package dev.resilientjdbc.proxy;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The result-set classes ({@link DirectResultSet} and its SQLite and pgjdbc subclasses) are written from the JDK's
 * and the drivers' interfaces by this test: it fails when a file differs from what the interfaces call for (a new
 * JDBC method, a hand edit). {@code -Dregenerate=true} writes them instead.
 */
class DirectResultSetSourceTest {
    private static final Path DIR = Path.of("src/main/java/dev/resilientjdbc/proxy");
    // Reads that go straight to the real result set outside a recorded transaction: next(), wasNull(), and the getters
    // of a column (by index or label) whose answer the handler hands back as it is (no proxy, no array, no stream).
    private static final Set<String> PLAIN_ANSWERS = Set.of("boolean", "byte", "short", "int", "long", "float", "double",
            "java.lang.String", "java.math.BigDecimal", "byte[]", "java.sql.Date", "java.sql.Time", "java.sql.Timestamp");

    @Test
    void baseClassIsUpToDate() throws IOException {
        check("DirectResultSet.java", base());
    }

    @Test
    void sqliteClassIsUpToDate() throws IOException {
        check("SqliteDirectResultSet.java", vendor("SqliteDirectResultSet",
                "the result sets of sqlite-jdbc, which are their own metadata too",
                List.of(java.sql.ResultSetMetaData.class, org.sqlite.core.Codes.class)));
    }

    @Test
    void pgjdbcClassIsUpToDate() throws IOException {
        check("PgDirectResultSet.java", vendor("PgDirectResultSet", "the result sets of pgjdbc",
                List.of(org.postgresql.PGRefCursorResultSet.class)));
    }

    private static void check(String file, String expected) throws IOException {
        Path path = DIR.resolve(file);
        if (Boolean.getBoolean("regenerate")) {
            Files.writeString(path, expected, StandardCharsets.UTF_8);
        }
        assertEquals(expected, Files.readString(path, StandardCharsets.UTF_8),
                file + " is not what the interfaces call for: run this test with -Dregenerate=true");
    }

    static boolean direct(Method m) {
        if (m.getDeclaringClass() != ResultSet.class) {
            return false;
        }
        Class<?>[] p = m.getParameterTypes();
        String n = m.getName();
        if (p.length == 0) {
            return n.equals("next") || n.equals("wasNull");
        }
        return p.length == 1 && (p[0] == int.class || p[0] == String.class) && n.startsWith("get")
                && PLAIN_ANSWERS.contains(m.getReturnType().getCanonicalName());
    }

    private static String base() {
        StringBuilder s = new StringBuilder();
        s.append(HEADER);
        s.append("import java.lang.reflect.Method;\n")
                .append("import java.lang.reflect.UndeclaredThrowableException;\n")
                .append("import java.sql.ResultSet;\n")
                .append("import java.sql.SQLException;\n\n")
                .append("/**\n")
                .append(" * A result-set proxy made of a class of ours instead of {@link java.lang.reflect.Proxy}, for a real result set whose\n")
                .append(" * public interfaces are ResultSet's alone (the subclasses add SQLite's and pgjdbc's). next(), wasNull() and the\n")
                .append(" * getters of a column that answer a plain value go to the real result set directly outside a recorded transaction\n")
                .append(" * (no argument array, no boxed answer: a Proxy makes both on every call, and the JIT cannot take them apart as\n")
                .append(" * the handler also passes them to Method.invoke); every other call, and these inside a recorded transaction, go\n")
                .append(" * to the handler with the same Method objects a Proxy would hand it. Public, as a Proxy class of public interfaces\n")
                .append(" * is, so that code calling a method found on getClass() by reflection still may. Written by\n")
                .append(" * DirectResultSetSourceTest.\n")
                .append(" */\n")
                .append("public class DirectResultSet implements ResultSet, ResilientProxy {\n")
                .append("    private static final Method EQUALS = method(Object.class, \"equals\", Object.class);\n")
                .append("    private static final Method HASH_CODE = method(Object.class, \"hashCode\");\n")
                .append("    private static final Method TO_STRING = method(Object.class, \"toString\");\n");
        List<Method> methods = methods(List.of(ResultSet.class), Set.of());
        fields(s, methods);
        s.append("\n    final ResultSetHandler handler;\n\n")
                .append("    DirectResultSet(ResultSetHandler handler) {\n")
                .append("        this.handler = handler;\n")
                .append("    }\n\n")
                .append("    static Method method(Class<?> type, String name, Class<?>... parameters) {\n")
                .append("        try {\n")
                .append("            return type.getMethod(name, parameters);\n")
                .append("        } catch (NoSuchMethodException e) {\n")
                .append("            throw new IllegalStateException(e);\n")
                .append("        }\n")
                .append("    }\n\n")
                .append("    /** What a Proxy's method does: the handler's answer, or what it threw (undeclared checked ones wrapped). */\n")
                .append("    final Object call(Method method, Object[] args) throws SQLException {\n")
                .append("        try {\n")
                .append("            return handler.invoke(this, method, args);\n")
                .append("        } catch (SQLException | RuntimeException | Error e) {\n")
                .append("            throw e;\n")
                .append("        } catch (Throwable e) {\n")
                .append("            throw new UndeclaredThrowableException(e);\n")
                .append("        }\n")
                .append("    }\n\n")
                .append("    final Object callUnchecked(Method method, Object[] args) {\n")
                .append("        try {\n")
                .append("            return handler.invoke(this, method, args);\n")
                .append("        } catch (RuntimeException | Error e) {\n")
                .append("            throw e;\n")
                .append("        } catch (Throwable e) {\n")
                .append("            throw new UndeclaredThrowableException(e);\n")
                .append("        }\n")
                .append("    }\n\n")
                .append("    @Override\n")
                .append("    public final boolean equals(Object other) {\n")
                .append("        return (Boolean) callUnchecked(EQUALS, new Object[] {other});\n")
                .append("    }\n\n")
                .append("    @Override\n")
                .append("    public final int hashCode() {\n")
                .append("        return (Integer) callUnchecked(HASH_CODE, null);\n")
                .append("    }\n\n")
                .append("    @Override\n")
                .append("    public final String toString() {\n")
                .append("        return (String) callUnchecked(TO_STRING, null);\n")
                .append("    }\n");
        bodies(s, methods);
        s.append("}\n");
        return s.toString();
    }

    private static String vendor(String name, String what, List<Class<?>> interfaces) {
        Set<String> inherited = new HashSet<>();
        for (Method m : ResultSet.class.getMethods()) {
            inherited.add(key(m));
        }
        StringBuilder s = new StringBuilder(HEADER);
        s.append("import java.lang.reflect.Method;\n")
                .append("import java.sql.SQLException;\n\n")
                .append("/** {@link DirectResultSet} for ").append(what).append(". Written by DirectResultSetSourceTest. */\n")
                .append("public final class ").append(name).append(" extends DirectResultSet implements ");
        for (int i = 0; i < interfaces.size(); i++) {
            s.append(i > 0 ? ", " : "").append(interfaces.get(i).getCanonicalName());
        }
        s.append(" {\n");
        List<Method> methods = methods(interfaces, inherited);
        fields(s, methods);
        s.append("\n    ").append(name).append("(ResultSetHandler handler) {\n")
                .append("        super(handler);\n")
                .append("    }\n");
        bodies(s, methods);
        s.append("}\n");
        return s.toString();
    }

    private static final String HEADER = "package dev.resilientjdbc.proxy;\n\n"
            + "// Written by DirectResultSetSourceTest (-Dregenerate=true): do not edit.\n\n";

    private static String key(Method m) {
        return m.getName() + Arrays.toString(m.getParameterTypes());
    }

    private static List<Method> methods(List<Class<?>> interfaces, Set<String> skip) {
        List<Method> out = new ArrayList<>();
        Set<String> seen = new HashSet<>(skip);
        for (Class<?> type : interfaces) {
            Method[] all = type.getMethods();
            Arrays.sort(all, Comparator.comparing(Method::getName).thenComparing(m -> Arrays.toString(m.getParameterTypes())));
            for (Method m : all) {
                if (!Modifier.isStatic(m.getModifiers()) && seen.add(key(m))) {
                    out.add(m);
                }
            }
        }
        return out;
    }

    private static void fields(StringBuilder s, List<Method> methods) {
        for (int i = 0; i < methods.size(); i++) {
            Method m = methods.get(i);
            s.append("    private static final Method M").append(i).append(" = method(")
                    .append(m.getDeclaringClass().getCanonicalName()).append(".class, \"").append(m.getName()).append('"');
            for (Class<?> p : m.getParameterTypes()) {
                s.append(", ").append(p.getCanonicalName()).append(".class");
            }
            s.append(");\n");
        }
    }

    private static void bodies(StringBuilder s, List<Method> methods) {
        for (int i = 0; i < methods.size(); i++) {
            Method m = methods.get(i);
            Class<?>[] p = m.getParameterTypes();
            boolean generic = m.getTypeParameters().length > 0;
            boolean throwsSql = Arrays.asList(m.getExceptionTypes()).contains(SQLException.class);
            StringBuilder params = new StringBuilder();
            StringBuilder args = new StringBuilder();
            for (int k = 0; k < p.length; k++) {
                params.append(k > 0 ? ", " : "").append(m.getGenericParameterTypes()[k].getTypeName().replace('$', '.')).append(" a").append(k);
                args.append(k > 0 ? ", " : "").append('a').append(k);
            }
            Class<?> r = m.getReturnType();
            String returns = generic ? "<T> T" : r == void.class ? "void" : r.getCanonicalName();
            s.append("\n    @Override\n");
            if (m.isAnnotationPresent(Deprecated.class)) {
                s.append("    @Deprecated\n");
            }
            if (generic) {
                s.append("    @SuppressWarnings(\"unchecked\")\n");
            }
            s.append("    public ").append(returns).append(' ').append(m.getName()).append('(').append(params).append(')')
                    .append(throwsSql ? " throws SQLException" : "").append(" {\n");
            if (direct(m)) {
                s.append("        ResultSet rs = handler.plain();\n")
                        .append("        if (rs != null) {\n")
                        .append("            try {\n")
                        .append("                return rs.").append(m.getName()).append('(').append(args).append(");\n")
                        .append("            } catch (SQLException e) {\n")
                        .append("                throw handler.unrecoverable(e);\n")
                        .append("            }\n")
                        .append("        }\n");
            }
            String call = (throwsSql ? "call" : "callUnchecked") + "(M" + i + ", "
                    + (p.length == 0 ? "null" : "new Object[] {" + args + "}") + ")";
            if (r == void.class) {
                s.append("        ").append(call).append(";\n");
            } else if (generic) {
                s.append("        return (T) ").append(call).append(";\n");
            } else if (r.isPrimitive()) {
                s.append("        return (").append(box(r)).append(") ").append(call).append(";\n");
            } else {
                s.append("        return (").append(r.getCanonicalName()).append(") ").append(call).append(";\n");
            }
            s.append("    }\n");
        }
    }

    private static String box(Class<?> primitive) {
        if (primitive == int.class) {
            return "Integer";
        }
        if (primitive == char.class) {
            return "Character";
        }
        String n = primitive.getName();
        return Character.toUpperCase(n.charAt(0)) + n.substring(1);
    }
}
