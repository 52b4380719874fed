package com.msgupgrade.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.msgupgrade.support.Api;
import com.msgupgrade.support.FreshPostgres;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.test.context.ContextConfiguration;

/**
 * The actuator's endpoints moved elsewhere ({@code management.endpoints.web.base-path}) are secured as at
 * {@code /actuator}: the metrics need credentials of the service's groups, the health answers without. (The
 * Prometheus endpoint is not there in a test without metrics export; it is an endpoint as the metrics are.)
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "msgsrv.demo=true", "management.endpoints.web.base-path=/manage"})
@ContextConfiguration(initializers = FreshPostgres.class)
class ActuatorBasePathTest {

    @Autowired
    TestRestTemplate rest;

    @Test
    void theMetricsElsewhereNeedCredentialsAndTheHealthDoesNot() {
        Api api = new Api(rest);
        for (String path : java.util.List.of("/manage", "/manage/metrics", "/manage/metrics/jvm.memory.used")) {
            assertThat(api.call(null, HttpMethod.GET, path, null, String.class).getStatusCode()).as(path)
                    .isEqualTo(HttpStatus.UNAUTHORIZED);
            assertThat(api.call("auditor", HttpMethod.GET, path, null, String.class).getStatusCode()).as(path)
                    .isEqualTo(HttpStatus.OK);
        }
        assertThat(api.call(null, HttpMethod.GET, "/manage/health/node", null, String.class).getStatusCode())
                .isEqualTo(HttpStatus.OK);
    }
}
