package com.msgupgrade.rollout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.springframework.core.io.ClassPathResource;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/** {@code /rollouts/{id}}: the hosts of a rollout as a grid coloured by state, refreshed every two seconds. */
@RestController
class ProgressPage {

    private final RolloutService rollouts;

    ProgressPage(RolloutService rollouts) {
        this.rollouts = rollouts;
    }

    @GetMapping(value = "/rollouts/{id}", produces = MediaType.TEXT_HTML_VALUE)
    String page(@PathVariable String id) throws IOException {
        rollouts.view(id); // 404 for an unknown rollout
        return new ClassPathResource("static/progress/rollout.html").getContentAsString(StandardCharsets.UTF_8);
    }
}
