package dev.resilientjdbc.health;

import com.codahale.metrics.health.HealthCheck;
import dev.resilientjdbc.classify.FailureClass;
import dev.resilientjdbc.retry.RetryStats;
import dev.resilientjdbc.retry.TargetGuard;

import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;

/** Runs every health check and renders the result as JSON: overall status, each check, each target's counts. */
public final class HealthReport {
    private HealthReport() {}

    /** The worst level of all checks (healthy when there are none). */
    public static Level overall(SortedMap<String, HealthCheck.Result> results) {
        Level worst = Level.HEALTHY;
        for (HealthCheck.Result r : results.values()) {
            worst = Level.worst(worst, levelOf(r));
        }
        return worst;
    }

    static Level levelOf(HealthCheck.Result r) {
        Object level = r.getDetails() == null ? null : r.getDetails().get("level");
        if (level != null) {
            return Level.valueOf(level.toString().toUpperCase(Locale.ROOT));
        }
        return r.isHealthy() ? Level.HEALTHY : Level.UNHEALTHY;
    }

    public static String json(java.util.Collection<TargetGuard> guards) {
        SortedMap<String, HealthCheck.Result> results = TargetHealth.registry().runHealthChecks();
        StringBuilder sb = new StringBuilder(512);
        sb.append("{\"status\":\"").append(overall(results).name().toLowerCase(Locale.ROOT)).append("\",\"checks\":{");
        boolean first = true;
        for (Map.Entry<String, HealthCheck.Result> e : results.entrySet()) {
            sb.append(first ? "" : ",").append(quote(e.getKey())).append(":{\"status\":\"")
                    .append(levelOf(e.getValue()).name().toLowerCase(Locale.ROOT)).append("\",\"message\":")
                    .append(quote(String.valueOf(e.getValue().getMessage()))).append('}');
            first = false;
        }
        sb.append("},\"targets\":{");
        first = true;
        for (TargetGuard g : guards) {
            RetryStats s = g.stats();
            long retries = 0;
            for (FailureClass c : FailureClass.values()) {
                retries += s.retries(c);
            }
            sb.append(first ? "" : ",").append(quote(g.name())).append(":{")
                    .append("\"breaker\":\"").append(!g.breakerEnabled() ? "off" : g.breaker() == null ? "closed" : g.breaker().getState().name().toLowerCase(Locale.ROOT))
                    .append("\",\"retries\":").append(retries)
                    .append(",\"connectRetries\":").append(s.connectRetries())
                    .append(",\"reconnects\":").append(s.reconnects())
                    .append(",\"replays\":").append(s.replays())
                    .append(",\"divergences\":").append(s.divergences())
                    .append(",\"inDoubtCommitted\":").append(s.inDoubtCommitted())
                    .append(",\"inDoubtAborted\":").append(s.inDoubtAborted())
                    .append(",\"inDoubtUnknown\":").append(s.inDoubt())
                    .append('}');
            first = false;
        }
        return sb.append("}}").toString();
    }

    static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"': sb.append("\\\""); break;
                case '\\': sb.append("\\\\"); break;
                case '\n': sb.append("\\n"); break;
                case '\r': sb.append("\\r"); break;
                case '\t': sb.append("\\t"); break;
                default:
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
            }
        }
        return sb.append('"').toString();
    }
}
