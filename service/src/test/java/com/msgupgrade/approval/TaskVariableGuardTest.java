package com.msgupgrade.approval;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A form's read-only field sent back as the API showed it counts as unchanged; anything else does not. */
class TaskVariableGuardTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }

    @Test
    void takesAValueSentBackAsShownAsUnchanged() throws Exception {
        assertThat(TaskVariableGuard.unchanged(json("\"r-1\""), "r-1")).isTrue();
        assertThat(TaskVariableGuard.unchanged(json("1"), 1)).isTrue();
        assertThat(TaskVariableGuard.unchanged(json("\"1\""), 1)).isTrue();
        assertThat(TaskVariableGuard.unchanged(json("false"), false)).isTrue();
        assertThat(TaskVariableGuard.unchanged(json("[\"ms1\",\"ms2\"]"), List.of("ms1", "ms2"))).isTrue();
        assertThat(TaskVariableGuard.unchanged(json("{\"a\":1}"), Map.of("a", 1))).isTrue();
        // nothing to show: empty or null both ways
        assertThat(TaskVariableGuard.unchanged(json("\"\""), null)).isTrue();
        assertThat(TaskVariableGuard.unchanged(null, "")).isTrue();
        assertThat(TaskVariableGuard.unchanged(json("null"), null)).isTrue();
    }

    @Test
    void takesAnyOtherValueAsAChange() throws Exception {
        assertThat(TaskVariableGuard.unchanged(json("\"\""), "approver1")).isFalse();
        assertThat(TaskVariableGuard.unchanged(json("\"r-2\""), "r-1")).isFalse();
        assertThat(TaskVariableGuard.unchanged(json("true"), false)).isFalse();
        assertThat(TaskVariableGuard.unchanged(json("[\"ms1\"]"), List.of("ms1", "ms2"))).isFalse();
        assertThat(TaskVariableGuard.unchanged(json("[\"ms1\"]"), null)).isFalse();
        assertThat(TaskVariableGuard.unchanged(json("\"x\""), null)).isFalse();
    }
}
