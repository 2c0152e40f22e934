package dev.resilientjdbc.it.demo;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Just enough JSON for the demo's report: objects, arrays, strings, numbers, booleans, null; anything malformed fails the test. */
final class ReportJson {
    private final String s;
    private int at;

    ReportJson(String s) {
        this.s = s;
    }

    /** The {@code runs} of {@code resilient-demo-report.json} in {@code dir}. */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> runs(Path dir) throws Exception {
        Object parsed = new ReportJson(Files.readString(dir.resolve("resilient-demo-report.json"))).parse();
        if (!(parsed instanceof Map<?, ?> m) || !(m.get("runs") instanceof List<?>)) {
            throw new AssertionError("report JSON without runs: " + parsed);
        }
        return (List<Map<String, Object>>) ((Map<String, Object>) parsed).get("runs");
    }

    Object parse() {
        Object v = value();
        space();
        if (at != s.length()) {
            throw new AssertionError("trailing characters at " + at);
        }
        return v;
    }

    private Object value() {
        space();
        char c = s.charAt(at);
        if (c == '{') {
            Map<String, Object> m = new LinkedHashMap<>();
            at++;
            space();
            if (s.charAt(at) == '}') {
                at++;
                return m;
            }
            do {
                space();
                String k = string();
                expect(':');
                m.put(k, value());
                space();
            } while (s.charAt(at++) == ',');
            check(s.charAt(at - 1) == '}', "} expected");
            return m;
        }
        if (c == '[') {
            List<Object> l = new ArrayList<>();
            at++;
            space();
            if (s.charAt(at) == ']') {
                at++;
                return l;
            }
            do {
                l.add(value());
                space();
            } while (s.charAt(at++) == ',');
            check(s.charAt(at - 1) == ']', "] expected");
            return l;
        }
        if (c == '"') {
            return string();
        }
        for (String word : new String[]{"true", "false", "null"}) {
            if (s.startsWith(word, at)) {
                at += word.length();
                return word.equals("null") ? null : Boolean.valueOf(word);
            }
        }
        int start = at;
        while (at < s.length() && "+-.eE0123456789".indexOf(s.charAt(at)) >= 0) {
            at++;
        }
        String n = s.substring(start, at);
        check(!n.isEmpty(), "value expected");
        return n.contains(".") || n.contains("e") || n.contains("E") ? (Object) Double.parseDouble(n) : (Object) Long.parseLong(n);
    }

    private String string() {
        expect('"');
        StringBuilder sb = new StringBuilder();
        while (true) {
            char c = s.charAt(at++);
            if (c == '"') {
                return sb.toString();
            }
            if (c == '\\') {
                char e = s.charAt(at++);
                switch (e) {
                    case 'n' -> sb.append('\n');
                    case 't' -> sb.append('\t');
                    case 'r' -> sb.append('\r');
                    case 'u' -> {
                        sb.append((char) Integer.parseInt(s.substring(at, at + 4), 16));
                        at += 4;
                    }
                    default -> sb.append(e);
                }
            } else {
                check(c >= 0x20, "control character in a string");
                sb.append(c);
            }
        }
    }

    private void expect(char c) {
        space();
        check(s.charAt(at) == c, c + " expected");
        at++;
    }

    private void space() {
        while (at < s.length() && Character.isWhitespace(s.charAt(at))) {
            at++;
        }
    }

    private void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError("report JSON: " + what + " at " + at + ": ..."
                    + s.substring(Math.max(0, at - 40), Math.min(s.length(), at + 40)) + "...");
        }
    }
}
