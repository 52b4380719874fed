package com.msgupgrade.planning;

import java.util.Map;
import org.camunda.bpm.dmn.engine.DmnDecisionResult;
import org.camunda.bpm.engine.DecisionService;
import org.springframework.stereotype.Component;

/** Evaluates the decision table {@code UpgradePath} (processes/UpgradePath.dmn, guide Table 4-1). */
@Component
public class UpgradePaths {

    public static final String DECISION_KEY = "UpgradePath";

    private final DecisionService decisions;

    public UpgradePaths(DecisionService decisions) {
        this.decisions = decisions;
    }

    public UpgradePath pathFor(String sourceRelease, String os) {
        DmnDecisionResult result = decisions.evaluateDecisionByKey(DECISION_KEY)
                .variables(Map.of("sourceRelease", String.valueOf(sourceRelease), "os", String.valueOf(os)))
                .evaluate();
        Map<String, Object> row = result.getSingleResult().getEntryMap();
        String procedure = (String) row.get("procedure");
        if (procedure == null) {
            return new UpgradePath(null, false, false, (String) row.get("refusal"));
        }
        return new UpgradePath(Procedure.of(procedure), Boolean.TRUE.equals(row.get("certified")),
                Boolean.TRUE.equals(row.get("rollbackSupported")), null);
    }
}
