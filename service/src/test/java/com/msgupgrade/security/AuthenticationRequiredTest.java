package com.msgupgrade.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.msgupgrade.support.Api;
import com.msgupgrade.support.FreshPostgres;
import jakarta.ws.rs.Path;
import java.util.ArrayList;
import java.util.List;
import org.camunda.bpm.engine.IdentityService;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.identity.User;
import org.camunda.bpm.engine.rest.impl.CamundaRestResources;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.test.context.ContextConfiguration;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/** Nothing but health answers without credentials, nothing to a user in none of the service's groups; roles are checked on /api. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "msgsrv.demo=true"})
@ContextConfiguration(initializers = FreshPostgres.class)
class AuthenticationRequiredTest {

    @Autowired
    TestRestTemplate rest;
    @Autowired
    IdentityService identities;
    @Autowired
    @Qualifier("requestMappingHandlerMapping")
    RequestMappingHandlerMapping mappings;

    @Test
    void everyApiEndpointAnswers401WithoutCredentials() {
        List<String> checked = new ArrayList<>();
        mappings.getHandlerMethods().forEach((info, method) -> {
            for (String pattern : info.getPatternValues()) {
                if (!pattern.startsWith("/api")) {
                    continue;
                }
                String path = pattern.replaceAll("\\{[^}]+}", "x");
                var methods = info.getMethodsCondition().getMethods();
                for (var m : methods.isEmpty() ? List.of(org.springframework.web.bind.annotation.RequestMethod.GET)
                        : methods) {
                    var response = new Api(rest).call(null, HttpMethod.valueOf(m.name()), path, "{}", String.class);
                    assertThat(response.getStatusCode()).as(m + " " + path).isEqualTo(HttpStatus.UNAUTHORIZED);
                    checked.add(m + " " + path);
                }
            }
        });
        assertThat(checked).contains("PUT /api/deployments/x", "POST /api/rollouts", "GET /api/rollouts/x",
                "GET /api/deployments/x/plan");
    }

    @Test
    void everyEngineRestResourceAnswers401WithoutCredentials() {
        List<String> checked = new ArrayList<>();
        for (String url : engineRestUrls()) {
            for (HttpMethod method : List.of(HttpMethod.GET, HttpMethod.POST)) {
                var response = new Api(rest).call(null, method, url, "{}", String.class);
                assertThat(response.getStatusCode()).as(method + " " + url).isEqualTo(HttpStatus.UNAUTHORIZED);
                checked.add(method + " " + url);
            }
        }
        assertThat(checked).contains("GET /engine-rest/task", "POST /engine-rest/task",
                "GET /engine-rest/process-instance", "GET /engine-rest/deployment");
    }

    /** Every root resource of the engine REST API and every sub-resource path of it (path parameters filled in). */
    private static List<String> engineRestUrls() {
        java.util.Set<String> urls = new java.util.TreeSet<>();
        for (Class<?> resource : CamundaRestResources.getResourceClasses()) {
            Path root = resource.getAnnotation(Path.class);
            if (root == null) {
                continue;
            }
            String base = "/engine-rest" + root.value().replaceAll("/$", "");
            urls.add(base.isEmpty() ? "/engine-rest" : base);
            for (java.lang.reflect.Method m : resource.getMethods()) {
                Path sub = m.getAnnotation(Path.class);
                if (sub != null) {
                    urls.add((base + "/" + sub.value().replaceAll("^/", "")).replaceAll("\\{[^}]+}", "default"));
                }
            }
        }
        return List.copyOf(urls);
    }

    @Test
    void healthAnswersWithoutCredentialsItsStatusAloneAndANodesOwnHealthForALoadBalancer() {
        Api api = new Api(rest);
        ResponseEntity<String> anonymous = api.call(null, HttpMethod.GET, "/actuator/health", null, String.class);
        assertThat(anonymous.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(anonymous.getBody()).contains("\"status\":\"UP\"").doesNotContain("components");
        ResponseEntity<String> node = api.call(null, HttpMethod.GET, "/actuator/health/node", null, String.class);
        assertThat(node.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(node.getBody()).contains("\"status\":\"UP\"");
        assertThat(api.call("operator", HttpMethod.GET, "/actuator/health/node", null, String.class).getBody())
                .contains("\"db\"", "\"processEngine\"", "\"jobExecutor\"").doesNotContain("jobsDue");
        assertThat(api.call("operator", HttpMethod.GET, "/actuator/health", null, String.class).getBody())
                .contains("\"jobsDue\"");
    }

    @Test
    void anAuditorCannotRegisterADeploymentAndBadCredentialsAreRefused() {
        Api api = new Api(rest);
        assertThat(api.putJson("auditor", "/api/deployments/x", "{}").getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
        // Camunda delays a user's next login after a failed one: the wrong passwords are tried on another user
        var wrong = rest.withBasicAuth("approver2", "wrong").getForEntity("/api/deployments", String.class);
        assertThat(wrong.getStatusCode()).isEqualTo(HttpStatus.UNAUTHORIZED);
        var engineWrong = rest.withBasicAuth("approver2", "wrong").getForEntity("/engine-rest/task", String.class);
        assertThat(engineWrong.getStatusCode()).isEqualTo(HttpStatus.UNAUTHORIZED);
        assertThat(rest.withBasicAuth("operator", "demo").getForEntity("/engine-rest/task", String.class)
                .getStatusCode()).isEqualTo(HttpStatus.OK);
    }

    @Test
    void aUserInNoneOfTheServicesGroupsReadsNothing() {
        if (identities.createUserQuery().userId("visitor").count() == 0) {
            User visitor = identities.newUser("visitor");
            visitor.setPassword(Api.PASSWORD);
            identities.saveUser(visitor);
        }
        Api api = new Api(rest);
        for (String path : List.of("/api/deployments", "/api/deployments/demo", "/api/deployments/demo/plan",
                "/api/rollouts/x", "/rollouts/x", "/actuator/prometheus", "/actuator/metrics", "/engine-rest/task")) {
            assertThat(api.call("visitor", HttpMethod.GET, path, null, String.class).getStatusCode()).as(path)
                    .isEqualTo(HttpStatus.FORBIDDEN);
        }
        assertThat(api.call("auditor", HttpMethod.GET, "/api/deployments", null, String.class).getStatusCode())
                .isEqualTo(HttpStatus.OK);
        // the health's status, not its details (the database, the job executor's lock owner, the jobs due)
        ResponseEntity<String> health = api.call("visitor", HttpMethod.GET, "/actuator/health", null, String.class);
        assertThat(health.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(health.getBody()).doesNotContain("components");
    }

    /**
     * A page of another site cannot make a logged-in operator's browser pause or abort a rollout (HTTP Basic: the
     * browser sends the credentials with any request); the service's own page and clients that are not browsers can.
     */
    @Test
    void refusesAChangeSentFromAPageOfAnotherSite() throws Exception {
        String path = "/api/rollouts/r-nosuchrollout/abort";
        java.util.function.BiFunction<String, String, ResponseEntity<String>> post = (header, value) -> {
            org.springframework.http.HttpHeaders headers = new org.springframework.http.HttpHeaders();
            headers.setBasicAuth("operator", Api.PASSWORD);
            if (header != null) {
                headers.set(header, value);
            }
            return rest.exchange(path, HttpMethod.POST, new org.springframework.http.HttpEntity<>(headers),
                    String.class);
        };
        ResponseEntity<String> evil = post.apply("Origin", "https://evil.example");
        assertThat(evil.getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(evil.getBody()).contains("another origin ('https://evil.example')");
        // the refusal is JSON whatever the header holds (a tab, a quote)
        ResponseEntity<String> odd = post.apply("Origin", "https://evil.example\t\"x");
        assertThat(odd.getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(new com.fasterxml.jackson.databind.ObjectMapper().readTree(odd.getBody()).get("detail").asText())
                .contains("another origin ('https://evil.example\\t\"x')");
        assertThat(post.apply("Sec-Fetch-Site", "cross-site").getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
        assertThat(post.apply("Sec-Fetch-Site", "same-site").getStatusCode()).isEqualTo(HttpStatus.FORBIDDEN);
        // the progress page's own request, and a script's: the rollout is looked for (none here)
        assertThat(post.apply("Origin", rest.getRootUri()).getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
        assertThat(post.apply("Sec-Fetch-Site", "same-origin").getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
        assertThat(post.apply(null, null).getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
        // reading is not changing: another site's page gets what the browser's same-origin rules let it
        assertThat(rest.exchange("/api/rollouts/r-nosuchrollout", HttpMethod.GET, new org.springframework.http
                .HttpEntity<>(withOrigin()), String.class).getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
    }

    private static org.springframework.http.HttpHeaders withOrigin() {
        org.springframework.http.HttpHeaders headers = new org.springframework.http.HttpHeaders();
        headers.setBasicAuth("operator", Api.PASSWORD);
        headers.set("Origin", "https://evil.example");
        return headers;
    }

    @Test
    void refusesToStartOutsideTheDemoWithoutAGoodAdminPassword() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new AdminPasswordGuard(false, false, "admin", "")
                .check()).hasMessageContaining("no admin password");
        // the message is logged: it does not repeat the id, which is the password here
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new AdminPasswordGuard(false, false, "chief-7731",
                "chief-7731").check()).hasMessageContaining("equals the admin user id")
                .message().doesNotContain("chief-7731");
        new AdminPasswordGuard(false, false, "admin", "a-long-password").check();
    }

    /**
     * A database that lets users in with the demo's password, or the administrator with their own name, is refused
     * outside the demo once the engine is built (this test's database is a demo's: its users are there).
     */
    @Test
    void refusesADatabaseWhoseUsersHaveTheDemosPasswordOutsideTheDemo(@Autowired ProcessEngine engine) {
        IdentityService identities = engine.getIdentityService();
        for (String[] user : new String[][] {{"chief-7731", "chief-7731"}, {"boss-7731", "a-long-password"}}) {
            if (identities.createUserQuery().userId(user[0]).count() == 0) {
                User created = identities.newUser(user[0]);
                created.setPassword(user[1]);
                identities.saveUser(created);
            }
        }
        assertThat(AdminPasswordGuard.weakPasswords(engine, "chief-7731"))
                .containsExactly("approver1", "approver2", "auditor", "operator", "chief-7731");
        assertThat(AdminPasswordGuard.weakPasswords(engine, "boss-7731")).doesNotContain("boss-7731");
        // the guesses are not failed logins: the users are not locked out by them
        for (int start = 0; start < 12; start++) {
            AdminPasswordGuard.weakPasswords(engine, "boss-7731");
        }
        assertThat(identities.checkPassword("boss-7731", "a-long-password")).as("not locked").isTrue();
        assertThat(identities.checkPassword("approver1", "demo")).as("not locked").isTrue();
        assertThat(AdminPasswordGuard.accepts(engine, "boss-7731", "demo")).isFalse();
        assertThat(AdminPasswordGuard.accepts(engine, "boss-7731", "a-long-password")).isTrue();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new AdminPasswordGuard(false, false, "boss-7731",
                "a-long-password").postProcessEngineBuild(engine)).hasMessageContaining("approver1")
                .hasMessageContaining("a database of its own");
        new AdminPasswordGuard(true, false, "admin", "demo").postProcessEngineBuild(engine); // the demo's own
    }
}
