package dev.resilientjdbc.spring.app;

import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.boot.health.actuate.endpoint.IndicatedHealthDescriptor;
import org.springframework.boot.jdbc.EmbeddedDatabaseConnection;
import org.springframework.boot.jdbc.init.PlatformPlaceholderDatabaseDriverResolver;
import org.springframework.context.ConfigurableApplicationContext;

import javax.sql.DataSource;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * An ordinary Spring Boot application: Boot's auto-configured HikariCP {@code DataSource}, a {@code JdbcTemplate},
 * {@code @Transactional} transfers ({@link Ledger}) and Actuator's health. Nothing in it knows about resilient-jdbc;
 * the JDBC URL (and, for {@code jdbc:resilient:}, the driver class) come from {@code spring.datasource.*}.
 *
 * <p>{@link #main} is the agent test's child: {@code --spring.datasource.url=jdbc:postgresql://...} and
 * {@code --ledger.run=<run>}; it sets up the ledger, prints {@code READY}, runs {@link Workload} printing
 * {@code OPS n}, and on {@code FINISH} from stdin stops and prints {@code SUMMARY ...} and {@code HEALTH ...}.
 */
@SpringBootApplication(proxyBeanMethods = false)
public class LedgerApplication {
    public static final int ACCOUNTS = 10;
    public static final long INITIAL_BALANCE = 1_000_000;
    public static final int THREADS = 4;

    /** Starts the application with {@code args} as command-line properties ({@code --key=value}). */
    public static ConfigurableApplicationContext start(String... args) {
        SpringApplication app = new SpringApplication(LedgerApplication.class);
        app.setBannerMode(Banner.Mode.OFF);
        app.setMainApplicationClass(LedgerApplication.class);
        return app.run(args);
    }

    /** The {@code db} component of Actuator's health: status and the database Boot recognised, e.g. {@code UP PostgreSQL}. */
    public static String dbHealth(ConfigurableApplicationContext context) {
        var db = (IndicatedHealthDescriptor) context.getBean(HealthEndpoint.class).healthForPath("db");
        return db.getStatus().getCode() + " " + db.getDetails().get("database");
    }

    /**
     * What Boot makes of the database from the {@code DataSource} (its metadata, through Boot's HikariCP): the platform
     * {@code spring.sql.init} substitutes for {@code @@platform@@} and whether Boot takes it for an embedded database,
     * e.g. {@code postgresql embedded=false}.
     */
    public static String platform(ConfigurableApplicationContext context) {
        DataSource ds = context.getBean(DataSource.class);
        return String.join(",", new PlatformPlaceholderDatabaseDriverResolver().resolveAll(ds, "@@platform@@"))
                + " embedded=" + EmbeddedDatabaseConnection.isEmbedded(ds);
    }

    public static void main(String[] args) throws Exception {
        try (ConfigurableApplicationContext context = start(args)) {
            String run = context.getEnvironment().getRequiredProperty("ledger.run");
            Ledger ledger = context.getBean(Ledger.class);
            ledger.setUp(run, ACCOUNTS, INITIAL_BALANCE);
            Workload workload = new Workload(ledger, run, ACCOUNTS, THREADS, n -> System.out.println("OPS " + n));
            workload.start();
            System.out.println("PLATFORM " + platform(context));
            System.out.println("READY");
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line; (line = in.readLine()) != null && !line.equals("FINISH"); ) {
                // only FINISH is expected
            }
            Workload.Result r = workload.stop();
            System.out.println("SUMMARY " + r.format());
            System.out.println("HEALTH " + dbHealth(context));
        }
        System.out.println("CLOSED");
    }
}
