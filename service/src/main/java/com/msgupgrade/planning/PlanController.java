package com.msgupgrade.planning;

import com.msgupgrade.inventory.Deployment;
import com.msgupgrade.inventory.DeploymentRepository;
import com.msgupgrade.web.NotFoundException;
import org.springframework.http.ResponseEntity;
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

    /**
     * The dry run: what a rollout of this deployment would do, host by host, command by command. The time the
     * planning took is in the {@code Server-Timing} header ({@code plan;dur=<ms>}).
     */
    @GetMapping("/api/deployments/{name}/plan")
    ResponseEntity<Plan> plan(@PathVariable String name, @RequestParam(defaultValue = Planner.TARGET) String target) {
        Deployment deployment = deployments.find(name)
                .orElseThrow(() -> new NotFoundException("no deployment named " + name));
        long started = System.nanoTime();
        Plan plan = planner.planToRun(deployment, target);
        double millis = (System.nanoTime() - started) / 1_000_000.0;
        return ResponseEntity.ok().header("Server-Timing", String.format(java.util.Locale.ROOT, "plan;dur=%.1f", millis))
                .body(plan);
    }
}
