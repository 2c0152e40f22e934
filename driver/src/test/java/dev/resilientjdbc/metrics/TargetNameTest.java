package dev.resilientjdbc.metrics;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** Target names (metrics, JMX, /metrics, /health) come from subprotocol, host, port and database only. */
class TargetNameTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "jdbc:postgresql://db1:5432/app?user=x&password=Hunter2Secret | postgresql_db1_5432_app",
            "jdbc:postgresql://sa:Hunter2Secret@db1:5432/app | postgresql_db1_5432_app",
            "jdbc:postgresql://h1:5432,h2:5433/app?targetServerType=primary | postgresql_h1_5432_h2_5433_app",
            "jdbc:postgresql://[::1]:5432/app | postgresql_1_5432_app",
            "jdbc:h2:mem:app;USER=sa;PASSWORD=Hunter2Secret | h2_mem_app",
            "jdbc:sqlserver://db1:1433;databaseName=app;password=Hunter2Secret | sqlserver_db1_1433_app",
            "jdbc:sqlserver://db1:1433;user=sa;password=Hunter2Secret;database=app | sqlserver_db1_1433_app",
            "jdbc:sqlserver://db1:1433;password=Hunter2Secret;databaseName=a=b | sqlserver_db1_1433",
            "jdbc:sqlserver://db1:1433;password={x;database=Hunter2Secret;y} | sqlserver_db1_1433",
            "jdbc:oracle:thin:scott/Hunter2Secret@//db1:1521/app | oracle_db1_1521_app",
            "jdbc:oracle:thin:scott/Hunter2Secret@db1:1521:app | oracle_db1_1521_app",
            "jdbc:mysql://address=(host=db1)(password=Hunter2Secret)/app | mysql_app",
            "jdbc:sqlite:/tmp/ledger.db | sqlite_tmp_ledger_db",
            "jdbc:sqlite::memory: | sqlite_memory",
            "jdbc:sqlite:file:/tmp/a.db?cipher=x&key=Hunter2Secret | sqlite_file_tmp_a_db",
            "jdbc:db2://db1:50000/app:user=sa;password=Hunter2Secret; | db2_db1_50000",
            "jdbc:x:app&password=Hunter2Secret | x_app",
    })
    void namesComeFromTheAllowListOnly(String url, String expected) {
        String name = ResilientMetrics.targetName(url);
        assertEquals(expected, name);
        assertFalse(name.toLowerCase(Locale.ROOT).contains("hunter2"), name);
        assertFalse(name.contains("user") || name.contains("password") || name.contains("scott"), name);
    }
}
