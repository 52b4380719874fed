package com.msgupgrade.inventory;

import com.msgupgrade.web.InvalidRequestException;
import com.msgupgrade.web.NotFoundException;
import java.security.Principal;
import java.util.List;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/deployments")
class DeploymentController {

    private final DeploymentRepository deployments;
    private final DeploymentValidator validator;

    DeploymentController(DeploymentRepository deployments, DeploymentValidator validator) {
        this.deployments = deployments;
        this.validator = validator;
    }

    @PutMapping("/{name}")
    @PreAuthorize("hasRole('operators')")
    ResponseEntity<Deployment> put(@PathVariable String name, @RequestBody Deployment deployment, Principal user) {
        List<String> problems = validator.problems(name, deployment);
        if (!problems.isEmpty()) {
            throw new InvalidRequestException("deployment " + name + " is not valid", problems);
        }
        Deployment stored = deployment.withName(name);
        deployments.save(stored, user.getName()); // refuses a name another deployment has in another case
        return ResponseEntity.ok(stored);
    }

    @GetMapping("/{name}")
    Deployment get(@PathVariable String name) {
        return deployments.find(name).orElseThrow(() -> new NotFoundException("no deployment named " + name));
    }

    @GetMapping
    List<String> list() {
        return deployments.names();
    }
}
