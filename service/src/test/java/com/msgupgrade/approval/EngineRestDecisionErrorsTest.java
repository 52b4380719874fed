package com.msgupgrade.approval;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.ws.rs.core.Response;
import java.util.Map;
import org.camunda.bpm.engine.ProcessEngineException;
import org.camunda.bpm.engine.rest.exception.RestException;
import org.junit.jupiter.api.Test;

/** The engine REST API's answers to refused decisions (ClusterIT races two approvers through it). */
class EngineRestDecisionErrorsTest {

    private final EngineRestDecisionErrors mapper = new EngineRestDecisionErrors();

    private static RestException refused(int status, String reason) {
        return new RestException(Response.Status.INTERNAL_SERVER_ERROR, new ProcessEngineException(
                "task listener failed", new DecisionRefusedException(status, reason)), "task listener failed");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> entity(Response response) {
        return (Map<String, Object>) response.getEntity();
    }

    @Test
    void answersADecisionBeatenByAnotherAsATaskThatIsGoneAndARefusalWithItsReason() {
        // the other approver's decision came first: its variables were gone under this one's listener
        Response beaten = mapper.toResponse(refused(409, "task t1 was already decided"));
        assertThat(beaten.getStatus()).isEqualTo(404);
        assertThat(entity(beaten)).containsEntry("type", "TaskNotFound");
        Response forbidden = mapper.toResponse(refused(403, "approver1 requested this rollout"));
        assertThat(forbidden.getStatus()).isEqualTo(403);
        assertThat(entity(forbidden)).containsEntry("message", "approver1 requested this rollout");
    }
}
