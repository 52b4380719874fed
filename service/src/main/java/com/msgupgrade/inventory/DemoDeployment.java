package com.msgupgrade.inventory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/** In the demo, registers the simulator's deployment.json (validated like any other) at start-up. */
@Component
class DemoDeployment {

    private static final Logger log = LoggerFactory.getLogger(DemoDeployment.class);

    private final DeploymentRepository deployments;
    private final DeploymentValidator validator;
    private final boolean demo;
    private final String file;

    DemoDeployment(DeploymentRepository deployments, DeploymentValidator validator,
            @Value("${msgsrv.demo:false}") boolean demo, @Value("${msgsrv.demo-deployment-file:}") String file) {
        this.deployments = deployments;
        this.validator = validator;
        this.demo = demo;
        this.file = file;
    }

    @EventListener(ApplicationReadyEvent.class)
    void register() throws IOException {
        if (!demo || file.isBlank() || !Files.exists(Path.of(file))) {
            return;
        }
        Deployment deployment = deployments.fromJson(Files.readString(Path.of(file)));
        if (deployments.find(deployment.name()).isPresent()) {
            // kept: its releases follow the demo's rollouts, where the file keeps the fleet's first ones
            log.info("demo deployment '{}' is registered already: kept as it is (delete ./data and ./demo-fleet to"
                    + " start over)", deployment.name());
            return;
        }
        List<String> problems = validator.problems(deployment.name(), deployment);
        if (!problems.isEmpty()) {
            throw new IllegalStateException("demo deployment " + file + " is not valid: " + problems);
        }
        deployments.save(deployment, "demo");
        log.info("demo deployment '{}' registered with {} hosts", deployment.name(), deployment.hosts().size());
    }
}
