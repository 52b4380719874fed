package com.msgupgrade.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class RolloutPlanGroupsTest {

    @Test
    void theGroupsOfAPhaseHoldEachItemOnceInOrderAndStaySmall() {
        for (int n = 0; n <= 1200; n++) {
            List<String> items = IntStream.range(0, n).mapToObj(i -> "h" + i).toList();
            List<String> joined = new ArrayList<>();
            int largest = 0;
            for (int group : RolloutPlan.groupNumbers(items)) {
                List<String> members = RolloutPlan.groupOf(items, group);
                assertThat(members).as("group %d of %d items", group, n).isNotEmpty();
                largest = Math.max(largest, members.size());
                joined.addAll(members);
            }
            assertThat(joined).as("%d items", n).isEqualTo(items);
            int root = (int) Math.ceil(Math.sqrt(n));
            assertThat(largest).as("largest group of %d items", n).isLessThanOrEqualTo(root);
            assertThat(RolloutPlan.groupNumbers(items)).as("groups of %d items", n).hasSizeLessThanOrEqualTo(root + 1);
        }
        assertThat(RolloutPlan.groupNumbers(IntStream.range(0, 1000).boxed().toList())).hasSize(32);
    }
}
