package io.streamdetect.jobs.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class SqlScriptTest {
    @Test
    void splitsAtSemicolonsOutsideQuotesAndComments() {
        String script = """
                -- a comment; with a semicolon
                SET 'k' = 'a;b';
                CREATE TABLE t (s STRING) /* block; comment */ WITH ('x' = 'it''s; fine');
                SELECT 1""";
        assertThat(SqlScript.statements(script, Map.of())).containsExactly("SET 'k' = 'a;b'",
                "CREATE TABLE t (s STRING)   WITH ('x' = 'it''s; fine')", "SELECT 1");
    }

    @Test
    void keepsAStatementSetTogetherInBothForms() {
        String script = """
                EXECUTE STATEMENT SET BEGIN INSERT INTO a SELECT 1; INSERT INTO b SELECT 2; END;
                BEGIN STATEMENT SET;
                INSERT INTO c SELECT 3;
                END;""";
        assertThat(SqlScript.statements(script, Map.of())).containsExactly(
                "EXECUTE STATEMENT SET BEGIN INSERT INTO a SELECT 1;\nINSERT INTO b SELECT 2;\nEND",
                "EXECUTE STATEMENT SET BEGIN\nINSERT INTO c SELECT 3;\nEND");
        assertThatThrownBy(() -> SqlScript.statements("BEGIN STATEMENT SET; INSERT INTO c SELECT 3;", Map.of()))
                .hasMessageContaining("add END;");
    }

    @Test
    void replacesVariablesWithDefaultsAndNamesAMissingOne() {
        assertThat(SqlScript.statements("SELECT '${a}', '${b:-5 s}', '${c:-}'", Map.of("a", "$1\\x")))
                .containsExactly("SELECT '$1\\x', '5 s', ''");
        assertThatThrownBy(() -> SqlScript.statements("SELECT '${model}'", Map.of()))
                .hasMessage("the script uses ${model}: pass --var model=VALUE");
    }

    @Test
    void readsSetStatements() {
        assertThat(SqlRunner.setting("SET 'execution.runtime-mode' = 'batch'"))
                .contains(Map.entry("execution.runtime-mode", "batch"));
        assertThat(SqlRunner.setting("SELECT 1")).isEmpty();
    }
}
