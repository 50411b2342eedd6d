package io.streamdetect.jobs.sql;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A SQL script as Flink's SQL client reads one: statements ending in {@code ;}, {@code --} and block comments,
 * {@code ;} inside quotes kept, and a statement set ({@code EXECUTE STATEMENT SET BEGIN ... END;} or {@code BEGIN
 * STATEMENT SET; ... END;}) as one statement. {@code ${name}} is replaced by the variable {@code name}, so one
 * script runs against several brokers, models or topics ({@code streamdetect sql -f x.sql --var model=...});
 * {@code ${name:-default}} falls back to {@code default} when the variable is not given.
 */
public final class SqlScript {
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z0-9_.]+)(?::-([^}]*))?}");

    private SqlScript() {}

    /**
     * The script's statements, variables substituted, without their final {@code ;}.
     *
     * @throws IllegalArgumentException naming a variable the script uses and {@code vars} lacks
     */
    public static List<String> statements(String script, Map<String, String> vars) {
        List<String> statements = new ArrayList<>();
        StringBuilder setStatements = null;
        for (String statement : split(substitute(script, vars))) {
            String upper = statement.toUpperCase(Locale.ROOT).replaceAll("\\s+", " ");
            if (upper.equals("BEGIN STATEMENT SET")) {
                setStatements = new StringBuilder("EXECUTE STATEMENT SET BEGIN\n");
            } else if (upper.startsWith("EXECUTE STATEMENT SET BEGIN")) {
                setStatements = new StringBuilder(statement).append(";\n");
            } else if (setStatements != null && upper.equals("END")) {
                statements.add(setStatements.append("END").toString());
                setStatements = null;
            } else if (setStatements != null) {
                setStatements.append(statement).append(";\n");
            } else {
                statements.add(statement);
            }
        }
        if (setStatements != null) {
            throw new IllegalArgumentException("the statement set is not closed: add END; after its INSERTs");
        }
        return statements;
    }

    static String substitute(String script, Map<String, String> vars) {
        Matcher m = VARIABLE.matcher(script);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = vars.getOrDefault(m.group(1), m.group(2));
            if (value == null) {
                throw new IllegalArgumentException("the script uses ${" + m.group(1) + "}: pass --var " + m.group(1)
                        + "=VALUE");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** Splits at {@code ;} outside quotes and comments; comments are dropped, blank statements skipped. */
    static List<String> split(String script) {
        List<String> statements = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        int n = script.length();
        for (int i = 0; i < n; i++) {
            char c = script.charAt(i);
            if (c == '\'' || c == '"' || c == '`') {
                int end = i + 1;
                while (end < n && !(script.charAt(end) == c && (end + 1 >= n || script.charAt(end + 1) != c))) {
                    end += script.charAt(end) == c ? 2 : 1; // '' inside a literal is a quote
                }
                current.append(script, i, Math.min(n, end + 1));
                i = end;
            } else if (c == '-' && i + 1 < n && script.charAt(i + 1) == '-') {
                while (i < n && script.charAt(i) != '\n') {
                    i++;
                }
                current.append('\n');
            } else if (c == '/' && i + 1 < n && script.charAt(i + 1) == '*') {
                int end = script.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 1;
                current.append(' ');
            } else if (c == ';') {
                add(statements, current);
            } else {
                current.append(c);
            }
        }
        add(statements, current);
        return statements;
    }

    private static void add(List<String> statements, StringBuilder current) {
        String s = current.toString().strip();
        if (!s.isEmpty()) {
            statements.add(s);
        }
        current.setLength(0);
    }
}
