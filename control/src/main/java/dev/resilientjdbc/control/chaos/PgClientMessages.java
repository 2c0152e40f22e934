package dev.resilientjdbc.control.chaos;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Follows what a client sends on one PostgreSQL connection, message by message, so that a trigger text
 * (a COMMIT) also strikes when the statement goes out by name: pgjdbc sends a statement's text once, in a
 * Parse with a name, and from its fifth execution on only a Bind naming it. Fed every client chunk in
 * order; answers the texts of the named statements each chunk binds. Bytes that do not read as the
 * protocol (a test's own, or TLS) make it stop following: it then answers nothing, never wrongly.
 */
final class PgClientMessages {
    private static final int SSL_REQUEST = 80877103;
    private static final int GSS_REQUEST = 80877104;
    private static final int MAX_KEPT = 1 << 20; // a Parse or Bind larger than this is not followed

    private final Map<String, String> named = new HashMap<>();
    private final byte[] header = new byte[5];
    private int headerFill;
    private boolean typed; // past the startup message: every message starts with a type byte
    private boolean lost;
    private int type;
    private int remaining = -1; // body bytes of the current message still to come; -1 while reading a header
    private ByteArrayOutputStream body; // kept for Parse and Bind only

    /** Reads {@code n} more client bytes; returns the texts of named statements that this chunk binds. */
    List<String> feed(byte[] data, int n) {
        List<String> bound = null;
        int i = 0;
        while (i < n && !lost) {
            if (remaining < 0) {
                int headerSize = typed ? 5 : 4;
                header[headerFill++] = data[i++];
                if (headerFill < headerSize) {
                    continue;
                }
                int at = typed ? 1 : 0;
                int length = ((header[at] & 0xff) << 24) | ((header[at + 1] & 0xff) << 16) | ((header[at + 2] & 0xff) << 8)
                        | (header[at + 3] & 0xff);
                if (length < 4) {
                    lost = true;
                    break;
                }
                type = typed ? header[0] : 0;
                remaining = length - 4;
                headerFill = 0;
                boolean keep = !typed || type == 'P' || type == 'B';
                if (keep && remaining > MAX_KEPT) {
                    keep = false;
                    if (!typed) {
                        lost = true; // no startup message is that large: not the protocol
                        break;
                    }
                }
                body = keep ? new ByteArrayOutputStream(Math.min(remaining, 256)) : null;
            }
            int take = Math.min(remaining, n - i);
            if (body != null) {
                body.write(data, i, take);
            }
            i += take;
            remaining -= take;
            if (remaining == 0) {
                String text = complete();
                if (text != null) {
                    if (bound == null) {
                        bound = new ArrayList<>(2);
                    }
                    bound.add(text);
                }
                remaining = -1;
                body = null;
            }
        }
        return bound == null ? List.of() : bound;
    }

    /** A whole message read: remembers a named Parse; returns the text a Bind names, if any. */
    private String complete() {
        if (body == null) {
            return null;
        }
        byte[] b = body.toByteArray();
        if (!typed) {
            int code = b.length >= 4 ? ((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff) : 0;
            typed = code != SSL_REQUEST && code != GSS_REQUEST; // after a refused SSL request another startup comes
            return null;
        }
        int first = end(b, 0);
        if (first < 0) {
            return null;
        }
        int second = end(b, first + 1);
        if (second < 0) {
            return null;
        }
        String a = new String(b, 0, first, StandardCharsets.UTF_8);
        String c = new String(b, first + 1, second - first - 1, StandardCharsets.UTF_8);
        if (type == 'P') {
            if (!a.isEmpty()) {
                named.put(a, c); // name, text
            }
            return null;
        }
        return c.isEmpty() ? null : named.get(c); // Bind: portal, statement name
    }

    private static int end(byte[] b, int from) {
        for (int i = from; i < b.length; i++) {
            if (b[i] == 0) {
                return i;
            }
        }
        return -1;
    }
}
