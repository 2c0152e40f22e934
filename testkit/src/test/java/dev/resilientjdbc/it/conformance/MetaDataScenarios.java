package dev.resilientjdbc.it.conformance;

import dev.resilientjdbc.testkit.conformance.Observations;
import dev.resilientjdbc.testkit.conformance.Probe;
import dev.resilientjdbc.testkit.conformance.SqlCall;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.RowIdLifetime;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Comparator;

/** DatabaseMetaData: every scalar property, the capability questions, and the catalogue result sets. */
final class MetaDataScenarios {
    private MetaDataScenarios() {}

    private static final int[] RESULT_SET_TYPES = {ResultSet.TYPE_FORWARD_ONLY, ResultSet.TYPE_SCROLL_INSENSITIVE,
            ResultSet.TYPE_SCROLL_SENSITIVE};

    static void register(Catalog c) {
        c.add("metadata properties and capabilities", MetaDataScenarios::properties);
        c.add("metadata result sets", p -> resultSets(p, c.dialect()));
        c.pgOnly("metadata getURL with a password in the URL", MetaDataScenarios::urlWithPassword);
    }

    /** A password in the URL: getURL shows it exactly where the real driver does (pgjdbc keeps the URL as given). */
    private static void urlWithPassword(Probe p) throws Exception {
        String url = p.url() + (p.url().contains("?") ? "&" : "?") + "password=not-needed-here";
        try (Connection c = java.sql.DriverManager.getConnection(url, p.properties())) {
            String shown = c.getMetaData().getURL();
            p.log().note("getURL is the URL connected with", url.equals(shown));
            p.log().note("getURL shows the password", shown.contains("not-needed-here"));
            p.log().note("getURL under the prefix the application used", shown.startsWith(p.proxied() ? "jdbc:resilient:" : "jdbc:postgresql:"));
        }
    }

    /** Every no-argument method of DatabaseMetaData (by name, so the order is stable) and the int-argument questions. */
    private static void properties(Probe p) throws Exception {
        Observations log = p.log();
        Connection c = p.connection();
        DatabaseMetaData md = c.getMetaData();
        p.reachable("metadata", md);
        Method[] methods = DatabaseMetaData.class.getMethods();
        Arrays.sort(methods, Comparator.comparing(Method::getName).thenComparing(m -> Arrays.toString(m.getParameterTypes())));
        for (Method m : methods) {
            Class<?> r = m.getReturnType();
            boolean scalar = r.isPrimitive() || r == String.class || r == RowIdLifetime.class;
            if (m.getName().equals("getURL")) {
                // Each run connected with its own URL: what matters is that getURL names it.
                log.attempt("getURL is the URL connected with", () -> p.url().equals(md.getURL()));
            } else if (m.getParameterCount() == 0 && scalar) {
                log.attempt(m.getName(), () -> invoke(md, m));
            } else if (m.getParameterCount() == 1 && m.getParameterTypes()[0] == int.class && r == boolean.class) {
                // supportsResultSetType, ownUpdatesAreVisible, supportsTransactionIsolationLevel, ...
                for (int arg : new int[] {0, 1, 2, 4, 8, 1003, 1004, 1005}) {
                    log.attempt(m.getName() + "(" + arg + ")", () -> invoke(md, m, arg));
                }
            }
        }
        for (int type : RESULT_SET_TYPES) {
            for (int concurrency : new int[] {ResultSet.CONCUR_READ_ONLY, ResultSet.CONCUR_UPDATABLE}) {
                log.attempt("supportsResultSetConcurrency(" + type + ", " + concurrency + ")",
                        () -> md.supportsResultSetConcurrency(type, concurrency));
            }
        }
        log.attempt("supportsConvert(INTEGER, VARCHAR)", () -> md.supportsConvert(java.sql.Types.INTEGER, java.sql.Types.VARCHAR));
        log.note("getMetaData() twice is the same object", c.getMetaData() == md);
        log.note("getMetaData().getConnection() == connection", md.getConnection() == c);
        p.reachable("metadata getConnection()", md.getConnection());
    }

    private static Object invoke(DatabaseMetaData md, Method m, Object... args) throws Exception {
        try {
            return m.invoke(md, args);
        } catch (InvocationTargetException e) {
            // The application would have seen the cause, as it calls the method directly.
            Throwable cause = e.getCause();
            if (cause instanceof Exception) {
                throw (Exception) cause;
            }
            throw (Error) cause;
        }
    }

    private static void resultSets(Probe p, Dialect d) throws Exception {
        Connection c = p.connection();
        Sql.updates(p,
                "create table md_parent (id integer primary key, name varchar(30) not null)",
                "create table md_child (id integer primary key, parent_id integer references md_parent (id),"
                        + " note text default 'n', amount numeric(8,3))",
                "create unique index md_child_note on md_child (note)",
                "create view md_view as select id, note from md_child");
        DatabaseMetaData md = c.getMetaData();
        String schema = d.schema();
        dump(p, "getTables(%)", () -> md.getTables(null, schema, "%", null));
        dump(p, "getTables(TABLE)", () -> md.getTables(null, schema, "md_%", new String[] {"TABLE"}));
        dump(p, "getTables(VIEW)", () -> md.getTables(null, schema, "%", new String[] {"VIEW"}));
        dump(p, "getColumns(md_child)", () -> md.getColumns(null, schema, "md_child", "%"));
        dump(p, "getColumns(md_view, note)", () -> md.getColumns(null, schema, "md_view", "note"));
        dump(p, "getPrimaryKeys(md_child)", () -> md.getPrimaryKeys(null, schema, "md_child"));
        dump(p, "getImportedKeys(md_child)", () -> md.getImportedKeys(null, schema, "md_child"));
        dump(p, "getExportedKeys(md_parent)", () -> md.getExportedKeys(null, schema, "md_parent"));
        dump(p, "getIndexInfo(md_child)", () -> md.getIndexInfo(null, schema, "md_child", false, false));
        dump(p, "getBestRowIdentifier(md_child)",
                () -> md.getBestRowIdentifier(null, schema, "md_child", DatabaseMetaData.bestRowSession, true));
        dump(p, "getTableTypes", md::getTableTypes);
        dump(p, "getCatalogs", md::getCatalogs);
        dump(p, "getSchemas", md::getSchemas);
        dump(p, "getTypeInfo", md::getTypeInfo);
        dump(p, "getClientInfoProperties", md::getClientInfoProperties);
        dump(p, "getProcedures", () -> md.getProcedures(null, schema, "%"));
        dump(p, "getFunctions", () -> md.getFunctions(null, schema, "%"));
        dump(p, "getTablePrivileges", () -> md.getTablePrivileges(null, schema, "md_parent"));
        dump(p, "getUDTs", () -> md.getUDTs(null, schema, "%", null));
        dump(p, "getVersionColumns", () -> md.getVersionColumns(null, schema, "md_child"));
        dump(p, "getPseudoColumns", () -> md.getPseudoColumns(null, schema, "%", "%"));
    }

    /** A metadata result set: its rows, and where its back-references lead. */
    private static void dump(Probe p, String label, SqlCall<ResultSet> call) throws Exception {
        Observations log = p.log();
        ResultSet rs = log.attempt(label, call);
        if (rs == null) {
            return;
        }
        p.reachable(label, rs);
        Statement owner = log.attempt(label + " getStatement", rs::getStatement);
        if (owner != null) {
            p.reachable(label + " getStatement()", owner);
            log.note(label + " getStatement().getConnection() == connection", owner.getConnection() == p.connection());
            p.reachable(label + " getStatement().getConnection()", owner.getConnection());
            log.note(label + " getStatement() twice is the same", rs.getStatement() == owner);
        }
        log.rows(label, rs);
        rs.close();
        log.attempt(label + " isClosed", rs::isClosed);
    }
}
