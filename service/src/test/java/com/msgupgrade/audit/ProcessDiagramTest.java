package com.msgupgrade.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.camunda.bpm.model.bpmn.BpmnModelInstance;
import org.junit.jupiter.api.Test;

/** The audit page's drawing of a model: the process's own diagram, not those of its collapsed sub-processes. */
class ProcessDiagramTest {

    private final ProcessDiagram diagrams = new ProcessDiagram();

    @Test
    void drawsTheRolloutsOwnDiagramWithoutTheInsideOfItsCollapsedSubProcesses() {
        BpmnModelInstance rollout = diagrams.model("Rollout");

        String svg = diagrams.svg(rollout, Set.of("Task_ApproveRollout"));

        // the rollout's own elements are drawn, the decided gate highlighted; the start event of a group
        // sub-process, at (180, 142) in that sub-process's own diagram, is not drawn over them
        assertThat(svg).contains("fill='#c8f0c8'");
        assertThat(svg).doesNotContain("cx='198' cy='160'");
        assertThat(svg).doesNotContain("A group of");
        assertThat(svg).contains("Sign off");
    }
}
