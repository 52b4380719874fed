package com.msgupgrade.planning;

import com.msgupgrade.inventory.DeploymentRepository;
import com.msgupgrade.web.NotFoundException;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
class PlanController {

    private final DeploymentRepository deployments;
    private final Planner planner;

    PlanController(DeploymentRepository deployments, Planner planner) {
        this.deployments = deployments;
        this.planner = planner;
    }

    /** The dry run: what a rollout of this deployment would do, host by host, command by command. */
    @GetMapping("/api/deployments/{name}/plan")
    Plan plan(@PathVariable String name, @RequestParam(defaultValue = Planner.TARGET) String target) {
        return planner.plan(deployments.find(name)
                .orElseThrow(() -> new NotFoundException("no deployment named " + name)), target);
    }
}
