package com.msgupgrade.approval;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** One person, however their name was typed at a login the directory accepted, counts once. */
class SamePersonTest {

    @Test
    void aNameTypedWithOtherCaseOrSpacesIsTheSamePerson() {
        for (String typed : new String[] {"approver1", "APPROVER1", " approver1", "approver1 ", "\tApprover1  "}) {
            assertThat(Decisions.samePerson("approver1", typed)).as("'" + typed + "'").isTrue();
        }
        assertThat(Decisions.samePerson("ann  smith", "Ann Smith")).isTrue();
        assertThat(Decisions.samePerson("approver1", "approver2")).isFalse();
        assertThat(Decisions.samePerson("approver1", "approver 1")).isFalse();
        assertThat(Decisions.samePerson("approver1", null)).isFalse();
    }
}
