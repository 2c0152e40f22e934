package dev.resilientjdbc.it.agent;

import java.util.HashMap;
import java.util.Map;

/** The legacy workload's last line: {@code SUMMARY ok=.. errors=.. unknown=.. inserted=.. firstError=..}. */
record Summary(int ok, int errors, int unknown, int inserted, String firstError) {
    static Summary parse(String line) {
        Map<String, String> v = new HashMap<>();
        String body = line.substring("SUMMARY ".length());
        int fe = body.indexOf(" firstError=");
        for (String part : body.substring(0, fe).split(" ")) {
            int eq = part.indexOf('=');
            v.put(part.substring(0, eq), part.substring(eq + 1));
        }
        return new Summary(Integer.parseInt(v.get("ok")), Integer.parseInt(v.get("errors")),
                Integer.parseInt(v.get("unknown")), Integer.parseInt(v.get("inserted")),
                body.substring(fe + " firstError=".length()));
    }
}
