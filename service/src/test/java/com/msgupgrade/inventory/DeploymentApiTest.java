package com.msgupgrade.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.msgupgrade.support.Api;
import com.msgupgrade.support.FreshPostgres;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.test.context.ContextConfiguration;

/** PUT /api/deployments/{name}: a bad deployment answers 422 naming every problem, and nothing is stored. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "msgsrv.demo=true", "MSGSRV_SECRET_DS_MANAGER=configured-in-the-environment"})
@ContextConfiguration(initializers = FreshPostgres.class)
class DeploymentApiTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String VALID = """
            {"directoryServer": {"host": "ds.example.com", "port": 389, "bindDn": "cn=Directory Manager",
                                 "passwordSecret": "ds-manager"},
             "hosts": [
               {"name": "store1", "address": "10.0.0.1", "os": "solaris", "arch": "sparc", "msgSvrBase": "/opt/SUNWmsgsr",
                "sourceRelease": "6.2p3", "components": ["store"], "locales": ["de"]},
               {"name": "store2", "address": "10.0.0.2", "os": "solaris", "arch": "sparc", "msgSvrBase": "/opt/SUNWmsgsr",
                "sourceRelease": "6.2p3", "components": ["store"]},
               {"name": "web1", "address": "10.0.0.3", "os": "linux", "arch": "i386", "msgSvrBase": "/opt/sun/messaging",
                "sourceRelease": "6.2p3", "components": ["webmail"]},
               {"name": "node1", "address": "10.0.0.4", "os": "solaris", "arch": "sparc", "msgSvrBase": "/opt/SUNWmsgsr",
                "sourceRelease": "6.2p3", "components": ["store"]},
               {"name": "nodex", "address": "10.0.0.5", "os": "solaris", "arch": "sparc", "msgSvrBase": "/opt/SUNWmsgsr",
                "sourceRelease": "6.2p3", "components": ["store"]}],
             "groups": [{"name": "cluster", "topology": "n-plus-1", "members": ["node1"], "standby": "nodex"}],
             "webmailStores": {"web1": ["store1", "store2"]},
             "webmailProxyAdmin": {"user": "admin", "passwordSecret": "webmail-proxy"}}
            """;

    @Autowired
    TestRestTemplate rest;

    /** An SSH key and known_hosts the service can read (no host is reached here): a plan to run needs them. */
    static final java.nio.file.Path SSH_DIR;

    static {
        try {
            SSH_DIR = java.nio.file.Files.createTempDirectory("deployment-api-ssh");
            java.nio.file.Files.writeString(SSH_DIR.resolve("id_ed25519"), "not read here\n");
            java.nio.file.Files.writeString(SSH_DIR.resolve("known_hosts"), "");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @org.springframework.test.context.DynamicPropertySource
    static void sshFiles(org.springframework.test.context.DynamicPropertyRegistry registry) {
        registry.add("msgsrv.ssh.private-key", () -> SSH_DIR.resolve("id_ed25519").toString());
        registry.add("msgsrv.ssh.known-hosts", () -> SSH_DIR.resolve("known_hosts").toString());
    }

    /**
     * A plan to run names a known_hosts file (or SSH key) the service cannot read: a rollout would otherwise fail at
     * its first host, after the CAB's approval and the directory's backup.
     */
    @Test
    void aPlanToRunNamesAnSshFileTheServiceCannotRead() throws Exception {
        Api api = new Api(rest);
        java.nio.file.Path knownHosts = SSH_DIR.resolve("known_hosts");
        java.nio.file.Path away = SSH_DIR.resolve("known_hosts.away");
        java.nio.file.Files.move(knownHosts, away);
        try {
            assertThat(registeredAndPlanned(api, "no-known-hosts", valid())).contains("the known_hosts file "
                    + knownHosts + " (msgsrv.ssh.known-hosts) is not readable by the service");
        } finally {
            java.nio.file.Files.move(away, knownHosts);
        }
        assertThat(api.call("operator", HttpMethod.GET, "/api/deployments/no-known-hosts/plan?target=6.3", null,
                String.class).getBody()).doesNotContain("known_hosts");
    }

    static ObjectNode valid() {
        try {
            return (ObjectNode) JSON.readTree(VALID);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static com.fasterxml.jackson.databind.JsonNode readTree(String json) {
        try {
            return JSON.readTree(json);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static ObjectNode host(ObjectNode d, int i) {
        return (ObjectNode) d.withArray("hosts").get(i);
    }

    static Arguments mistake(String expected, Consumer<ObjectNode> edit) {
        return Arguments.of(expected, edit);
    }

    static Stream<Arguments> mistakes() {
        return Stream.of(
                mistake("host name store1 is used twice", d -> host(d, 1).put("name", "store1")),
                mistake("address 10.0.0.1:22 is used by another host", d -> host(d, 1).put("address", "10.0.0.1")),
                mistake("os 'aix' is not one of", d -> host(d, 0).put("os", "aix")),
                mistake("arch 'i386' is not one of", d -> host(d, 0).put("arch", "i386")),
                mistake("sourceRelease '7.1' is not one of", d -> host(d, 0).put("sourceRelease", "7.1")),
                mistake("component 'pop' is not one of", d -> host(d, 0).withArray("components").add("pop")),
                mistake("components: at least one", d -> host(d, 0).putArray("components")),
                mistake("msgSvrBase 'opt/SUNWmsgsr' must be an absolute path", d -> host(d, 0).put("msgSvrBase", "opt/SUNWmsgsr")),
                mistake("msgSvrBase '/opt/../etc' must be an absolute path", d -> host(d, 0).put("msgSvrBase", "/opt/../etc")),
                mistake("sshPort 70000 is not a port", d -> host(d, 0).put("sshPort", 70000)),
                mistake("directoryServer.port 0 is not a port", d -> ((ObjectNode) d.get("directoryServer")).put("port", 0)),
                mistake("directoryServer.passwordSecret must name a secret",
                        d -> ((ObjectNode) d.get("directoryServer")).put("passwordSecret", "my password!")),
                mistake("directoryServer is required", d -> d.remove("directoryServer")),
                mistake("member 'ghost' is not a host", d -> ((ArrayNode) d.get("groups").get(0).get("members")).add("ghost")),
                mistake("a n-plus-1 group needs its standby host", d -> ((ObjectNode) d.get("groups").get(0)).remove("standby")),
                mistake("topology 'mesh' is not one of", d -> ((ObjectNode) d.get("groups").get(0)).put("topology", "mesh")),
                mistake("store 'store9' is not a host", d -> ((ArrayNode) d.get("webmailStores").get("web1")).add("store9")),
                mistake("host web1 has no store component", d -> ((ArrayNode) d.get("webmailStores").get("web1")).add("web1")),
                mistake("webmailStores.web1: at least one store is required",
                        d -> ((ObjectNode) d.get("webmailStores")).putArray("web1")),
                mistake("locale 'german' must match", d -> host(d, 0).withArray("locales").add("german")),
                mistake("storeHostName 'store 1.example.com' is not a host name",
                        d -> host(d, 0).put("storeHostName", "store 1.example.com")),
                mistake("storeHostName is the name webmail reaches a Message Store by, and the host has no store",
                        d -> host(d, 2).put("storeHostName", "web1.example.com")),
                mistake("hosts: at least one host is required", d -> d.putArray("hosts")),
                mistake("hosts[2]: name (missing) must match", d -> host(d, 2).remove("name")),
                mistake("webmailProxyAdmin {user, passwordSecret} is required", d -> d.remove("webmailProxyAdmin")),
                mistake("standby nodex must not also be an active member",
                        d -> ((ArrayNode) d.get("groups").get(0).get("members")).add("nodex")),
                // a field left out is named as such, not a server error
                mistake("os (missing) is not one of", d -> host(d, 0).remove("os")),
                mistake("arch (missing) is not one of", d -> host(d, 0).remove("arch")),
                mistake("sourceRelease (missing) is not one of", d -> host(d, 0).remove("sourceRelease")),
                mistake("topology (missing) is not one of", d -> ((ObjectNode) d.get("groups").get(0)).remove("topology")));
    }

    static Stream<Arguments> nullEntries() {
        return Stream.of(
                mistake("hosts[1] is null", d -> d.withArray("hosts").set(1, (com.fasterxml.jackson.databind.JsonNode) null)),
                mistake("host store1: components[0] is null", d -> host(d, 0).withArray("components").insertNull(0)),
                mistake("host store1: locales[1] is null", d -> host(d, 0).withArray("locales").addNull()),
                mistake("group cluster: members[1] is null",
                        d -> ((ArrayNode) d.get("groups").get(0).get("members")).addNull()),
                mistake("webmailStores.web1 is null", d -> ((ObjectNode) d.get("webmailStores")).putNull("web1")),
                mistake("webmailStores.web1[0] is null",
                        d -> ((ArrayNode) d.get("webmailStores").get("web1")).insertNull(0)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("nullEntries")
    void refusesANullEntryNamingWhereItIsAndStoresNothing(String expected, Consumer<ObjectNode> edit) {
        refusedAndNothingStored("null-", expected, edit, HttpStatus.BAD_REQUEST);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mistakes")
    void refusesABadDeploymentNamingTheProblemAndStoresNothing(String expected, Consumer<ObjectNode> edit) {
        refusedAndNothingStored("bad-", expected, edit, HttpStatus.UNPROCESSABLE_ENTITY);
    }

    /** The valid deployment, edited, is refused with that status and a body naming the problem; nothing is stored. */
    private void refusedAndNothingStored(String prefix, String expected, Consumer<ObjectNode> edit, HttpStatus status) {
        ObjectNode d = valid();
        edit.accept(d);
        String name = prefix + Math.abs(expected.hashCode());
        ResponseEntity<String> response = new Api(rest).putJson("operator", "/api/deployments/" + name, d.toString());
        assertThat(response.getStatusCode()).isEqualTo(status);
        assertThat(response.getBody()).contains(expected);
        assertThat(new Api(rest).call("operator", HttpMethod.GET, "/api/deployments/" + name, null, String.class)
                .getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
    }

    static Stream<Arguments> injections() {
        List<Arguments> cases = new ArrayList<>();
        String[] evil = {"x;reboot", "x`id`", "x$(id)", "x'y", "x\"y", "x\ny", "x|id", "x&id", "x y", "x>f"};
        for (String e : evil) {
            cases.add(Arguments.of("host name", (Consumer<ObjectNode>) d -> host(d, 0).put("name", e)));
            cases.add(Arguments.of("msgSvrBase", (Consumer<ObjectNode>) d -> host(d, 0).put("msgSvrBase", "/opt/" + e)));
        }
        for (String e : new String[] {"de;rm", "de`id`", "$(id)", "de\n", "de'"}) {
            cases.add(Arguments.of("locale", (Consumer<ObjectNode>) d -> host(d, 0).withArray("locales").add(e)));
        }
        for (String e : new String[] {"10.0.0.1;id", "host`id`", "$(id).example.com"}) {
            cases.add(Arguments.of("address", (Consumer<ObjectNode>) d -> host(d, 0).put("address", e)));
        }
        cases.add(Arguments.of("bind DN", (Consumer<ObjectNode>) d -> ((ObjectNode) d.get("directoryServer"))
                .put("bindDn", "cn=x$(id)")));
        cases.add(Arguments.of("patch dir", (Consumer<ObjectNode>) d -> host(d, 0).put("patchDir", "/tmp;id")));
        for (String e : new String[] {"st1;id", "st1`id`", "$(id).example.com", "st1 -v x"}) {
            cases.add(Arguments.of("store host name", (Consumer<ObjectNode>) d -> host(d, 0).put("storeHostName", e)));
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}: {index}")
    @MethodSource("injections")
    void refusesInjectionAttemptsWith422(String field, Consumer<ObjectNode> edit) {
        ObjectNode d = valid();
        edit.accept(d);
        String name = "evil-" + System.nanoTime();
        ResponseEntity<String> response = new Api(rest).putJson("operator", "/api/deployments/" + name, d.toString());
        assertThat(response.getStatusCode()).as(field).isEqualTo(HttpStatus.UNPROCESSABLE_ENTITY);
        assertThat(new Api(rest).call("operator", HttpMethod.GET, "/api/deployments/" + name, null, String.class)
                .getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
    }

    @Test
    void storesAValidDeploymentAndListsEveryProblemOfABadUpdateWithoutChangingIt() throws Exception {
        Api api = new Api(rest);
        assertThat(api.putJson("operator", "/api/deployments/good", VALID).getStatusCode()).isEqualTo(HttpStatus.OK);
        ObjectNode bad = valid();
        host(bad, 0).put("os", "aix");
        host(bad, 1).put("msgSvrBase", "relative");
        ResponseEntity<String> response = api.putJson("operator", "/api/deployments/good", bad.toString());
        assertThat(response.getStatusCode()).isEqualTo(HttpStatus.UNPROCESSABLE_ENTITY);
        assertThat(response.getBody()).contains("os 'aix'").contains("msgSvrBase 'relative'");
        String stored = api.call("operator", HttpMethod.GET, "/api/deployments/good", null, String.class).getBody();
        assertThat(JSON.readTree(stored).get("hosts").get(0).get("os").asText()).isEqualTo("solaris");
    }

    private ResponseEntity<String> exchange(HttpMethod method, String path, String json, String header, String value) {
        HttpHeaders headers = new HttpHeaders();
        headers.setBasicAuth("operator", com.msgupgrade.support.Api.PASSWORD);
        if (json != null) {
            headers.setContentType(MediaType.APPLICATION_JSON);
        }
        if (header != null) {
            headers.set(header, value);
        }
        return rest.exchange(path, method, new HttpEntity<>(json, headers), String.class);
    }

    /**
     * A script that read a deployment and sends it back with its ETag is refused (412, naming who changed it since)
     * when it was changed meanwhile, instead of undoing that change; without a condition a PUT replaces it as before.
     */
    @Test
    void aChangeSentWithTheETagOfAnOlderVersionIsRefusedAndChangesNothing() throws Exception {
        String path = "/api/deployments/versioned";
        ResponseEntity<String> created = exchange(HttpMethod.PUT, path, VALID, "If-None-Match", "*");
        assertThat(created.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(created.getHeaders().getETag()).isEqualTo("\"1\"");
        assertThat(exchange(HttpMethod.PUT, path, VALID, "If-None-Match", "*").getStatusCode())
                .isEqualTo(HttpStatus.PRECONDITION_FAILED);

        ResponseEntity<String> read = exchange(HttpMethod.GET, path, null, null, null);
        String etag = read.getHeaders().getETag();
        assertThat(etag).isEqualTo("\"1\"");
        assertThat(exchange(HttpMethod.GET, path, null, "If-None-Match", etag).getStatusCode())
                .isEqualTo(HttpStatus.NOT_MODIFIED);

        ObjectNode meanwhile = valid();
        host(meanwhile, 0).put("sourceRelease", "6.3");
        ResponseEntity<String> changed = exchange(HttpMethod.PUT, path, meanwhile.toString(), "If-Match", etag);
        assertThat(changed.getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(changed.getHeaders().getETag()).isEqualTo("\"2\"");

        ResponseEntity<String> stale = exchange(HttpMethod.PUT, path, read.getBody(), "If-Match", etag);
        assertThat(stale.getStatusCode()).isEqualTo(HttpStatus.PRECONDITION_FAILED);
        assertThat(stale.getHeaders().getETag()).isEqualTo("\"2\"");
        assertThat(JSON.readTree(stale.getBody()).get("detail").asText()).contains("changed since the version sent")
                .contains("changed by operator").contains("\"2\"");
        ResponseEntity<String> now = exchange(HttpMethod.GET, path, null, null, null);
        assertThat(JSON.readTree(now.getBody()).get("hosts").get(0).get("sourceRelease").asText()).isEqualTo("6.3");
        assertThat(now.getHeaders().getETag()).isEqualTo("\"2\"");

        // a list of tags, one of them current, and *, both store; a tag this service does not give is named (422)
        assertThat(exchange(HttpMethod.PUT, path, now.getBody(), "If-Match", "\"1\", \"2\"").getHeaders().getETag())
                .isEqualTo("\"3\"");
        assertThat(exchange(HttpMethod.PUT, path, now.getBody(), "If-Match", "*").getHeaders().getETag())
                .isEqualTo("\"4\"");
        ResponseEntity<String> unquoted = exchange(HttpMethod.PUT, path, now.getBody(), "If-Match", "W/\"4\"");
        assertThat(unquoted.getStatusCode()).isEqualTo(HttpStatus.UNPROCESSABLE_ENTITY);
        assertThat(JSON.readTree(unquoted.getBody()).get("detail").asText())
                .contains("If-Match W/\"4\" is not an entity tag this service gives");
        assertThat(exchange(HttpMethod.PUT, "/api/deployments/never-stored", VALID, "If-Match", "*").getStatusCode())
                .isEqualTo(HttpStatus.PRECONDITION_FAILED);
        assertThat(exchange(HttpMethod.GET, "/api/deployments/never-stored", null, null, null).getStatusCode())
                .isEqualTo(HttpStatus.NOT_FOUND);

        // without a condition, a PUT replaces the deployment whatever its version
        assertThat(exchange(HttpMethod.PUT, path, VALID, null, null).getHeaders().getETag()).isEqualTo("\"5\"");

        // every version is kept: who stored it, when, what
        var versions = JSON.readTree(exchange(HttpMethod.GET, path + "/versions", null, null, null).getBody());
        assertThat(versions.findValuesAsText("version")).containsExactly("5", "4", "3", "2", "1");
        assertThat(versions.findValuesAsText("updatedBy")).containsOnly("operator");
        assertThat(versions.get(0).get("sha256").asText()).hasSize(64);
        ResponseEntity<String> second = exchange(HttpMethod.GET, path + "/versions/2", null, null, null);
        assertThat(second.getHeaders().getETag()).isEqualTo("\"2\"");
        assertThat(JSON.readTree(second.getBody()).get("hosts").get(0).get("sourceRelease").asText()).isEqualTo("6.3");
        assertThat(JSON.readTree(exchange(HttpMethod.GET, path + "/versions/1", null, null, null).getBody())
                .get("hosts").get(0).get("sourceRelease").asText()).isEqualTo("6.2p3");
        assertThat(exchange(HttpMethod.GET, path + "/versions/9", null, null, null).getStatusCode())
                .isEqualTo(HttpStatus.NOT_FOUND);
        assertThat(exchange(HttpMethod.GET, path + "/versions/latest", null, null, null).getStatusCode())
                .isEqualTo(HttpStatus.NOT_FOUND);
        assertThat(exchange(HttpMethod.GET, "/api/deployments/never-stored/versions", null, null, null)
                .getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
        // kept as stored: PostgreSQL refuses to change or remove a version
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> jdbc.update("DELETE FROM \"MSGSRV\".deployment_version"
                + " WHERE name = 'versioned' AND version = 1")).hasMessageContaining("append-only");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> jdbc.update("UPDATE \"MSGSRV\".deployment_version"
                + " SET updated_by = 'someone' WHERE name = 'versioned'")).hasMessageContaining("append-only");
    }

    @Test
    void putsOfTheSameNewDeploymentAtTheSameMomentEachStoreItWholeOrAreToldToSendAgain() throws Exception {
        Api api = new Api(rest);
        var start = new java.util.concurrent.CountDownLatch(1);
        var executor = java.util.concurrent.Executors.newFixedThreadPool(6);
        try {
            List<java.util.concurrent.Future<HttpStatus>> puts = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                puts.add(executor.submit(() -> {
                    start.await();
                    return HttpStatus.valueOf(api.putJson("operator", "/api/deployments/raced", VALID).getStatusCode()
                            .value());
                }));
            }
            start.countDown();
            for (var put : puts) {
                assertThat(put.get(60, java.util.concurrent.TimeUnit.SECONDS)).isIn(HttpStatus.OK, HttpStatus.CONFLICT);
            }
        } finally {
            executor.shutdownNow();
        }
        var stored = JSON.readTree(api.call("operator", HttpMethod.GET, "/api/deployments/raced", null, String.class)
                .getBody());
        assertThat(stored.get("hosts").findValuesAsText("name")).isEqualTo(valid().get("hosts").findValuesAsText("name"));

        // asked to create only (If-None-Match: *): one of them does, the others are told it exists (412), not 409
        var once = new java.util.concurrent.CountDownLatch(1);
        var creators = java.util.concurrent.Executors.newFixedThreadPool(6);
        try {
            List<java.util.concurrent.Future<HttpStatus>> puts = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                puts.add(creators.submit(() -> {
                    once.await();
                    return HttpStatus.valueOf(exchange(HttpMethod.PUT, "/api/deployments/created-once", VALID,
                            "If-None-Match", "*").getStatusCode().value());
                }));
            }
            once.countDown();
            List<HttpStatus> answers = new ArrayList<>();
            for (var put : puts) {
                answers.add(put.get(60, java.util.concurrent.TimeUnit.SECONDS));
            }
            assertThat(answers).containsOnlyOnce(HttpStatus.OK).containsOnly(HttpStatus.OK, HttpStatus.PRECONDITION_FAILED);
        } finally {
            creators.shutdownNow();
        }
    }

    @Test
    void answers400ForABodyThatIsNotJson() {
        ResponseEntity<String> response = new Api(rest).putJson("operator", "/api/deployments/x", "{not json");
        assertThat(response.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
    }

    /**
     * A body in the wrong form is refused naming what is wrong and where, in a problem detail, and stores nothing: a
     * value of the wrong kind, a key given twice, a body not declared JSON, none at all, a method the path does not
     * take.
     */
    @Test
    void namesWhatIsWrongWithABodyAndWhere() {
        Api api = new Api(rest);
        ObjectNode wrongType = valid();
        host(wrongType, 0).put("sshPort", "abc");
        ResponseEntity<String> typed = api.putJson("operator", "/api/deployments/form-1", wrongType.toString());
        assertThat(typed.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(typed.getBody()).contains("hosts[0].sshPort 'abc' must be a whole number").doesNotContain("java.");

        String twice = VALID.replaceFirst("\"webmailStores\"\\s*:\\s*\\{", "\"webmailStores\": {\"web1\": [\"store1\"],");
        assertThat(twice).isNotEqualTo(VALID);
        ResponseEntity<String> duplicate = api.putJson("operator", "/api/deployments/form-2", twice);
        assertThat(duplicate.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(duplicate.getBody()).contains("Duplicate field 'web1'");

        HttpHeaders text = new HttpHeaders();
        text.setBasicAuth("operator", Api.PASSWORD);
        text.setContentType(MediaType.TEXT_PLAIN);
        ResponseEntity<String> notJson = rest.exchange("/api/deployments/form-3", HttpMethod.PUT,
                new HttpEntity<>(VALID, text), String.class);
        assertThat(notJson.getStatusCode()).isEqualTo(HttpStatus.UNSUPPORTED_MEDIA_TYPE);
        assertThat(notJson.getBody()).contains("Content-Type: application/json").contains("text/plain");
        for (String name : List.of("form-1", "form-2", "form-3")) {
            assertThat(api.call("operator", HttpMethod.GET, "/api/deployments/" + name, null, String.class)
                    .getStatusCode()).as(name).isEqualTo(HttpStatus.NOT_FOUND);
        }

        ResponseEntity<String> noBody = api.call("operator", HttpMethod.POST, "/api/rollouts", null, String.class);
        assertThat(noBody.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(noBody.getBody()).contains("a JSON body is required").doesNotContain("public ");
        ResponseEntity<String> localTime = api.call("operator", HttpMethod.POST, "/api/rollouts", "{\"deployment\":"
                + "\"x\",\"windows\":[{\"start\":\"2026-12-24T22:00:00\",\"end\":\"2026-12-25T02:00:00Z\"}]}",
                String.class);
        assertThat(localTime.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(localTime.getBody()).contains("windows[0].start '2026-12-24T22:00:00' must be an instant in ISO-8601");
        ResponseEntity<String> wrongMethod = api.call("operator", HttpMethod.DELETE, "/api/rollouts", null,
                String.class);
        assertThat(wrongMethod.getStatusCode()).isEqualTo(HttpStatus.METHOD_NOT_ALLOWED);
        assertThat(wrongMethod.getBody()).contains("DELETE is not taken on this path").contains("POST");
        assertThat(wrongMethod.getHeaders().getAllow()).contains(HttpMethod.POST);

        // a number too big for its field, a fraction or a string where a whole number goes, a number where true or
        // false goes, a body that is not an object: each named, nothing taken for what it is not
        ObjectNode tooBig = valid();
        host(tooBig, 1).put("sshPort", 99_999_999_999L);
        ResponseEntity<String> big = api.putJson("operator", "/api/deployments/form-4", tooBig.toString());
        assertThat(big.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(big.getBody()).contains("hosts[1].sshPort must be a whole number up to 2147483647")
                .doesNotContain("java.").doesNotContain("`int`");
        ObjectNode fraction = valid();
        host(fraction, 0).put("sshPort", 22.7);
        ResponseEntity<String> refused = api.putJson("operator", "/api/deployments/form-5", fraction.toString());
        assertThat(refused.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(refused.getBody()).contains("hosts[0].sshPort '22.7' must be a whole number");
        ResponseEntity<String> numberAsFlag = api.call("operator", HttpMethod.POST, "/api/rollouts/none/rollback",
                "{\"mshttpdEnabled\": 1}", String.class);
        assertThat(numberAsFlag.getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(numberAsFlag.getBody()).contains("mshttpdEnabled").contains("must be true or false");
        for (String shape : List.of("[]", "\"x\"", "42")) {
            ResponseEntity<String> notAnObject = api.call("operator", HttpMethod.POST, "/api/rollouts", shape,
                    String.class);
            assertThat(notAnObject.getStatusCode()).as(shape).isEqualTo(HttpStatus.BAD_REQUEST);
            assertThat(notAnObject.getBody()).as(shape).contains("the body must be an object {...}")
                    .doesNotContain("com.msgupgrade");
        }
        // a query parameter given twice is refused, not joined into a value nothing matches
        ResponseEntity<String> twiceGiven = api.call("operator", HttpMethod.GET,
                "/api/rollouts?state=RUNNING&state=PAUSED", null, String.class);
        assertThat(twiceGiven.getStatusCode()).isEqualTo(HttpStatus.UNPROCESSABLE_ENTITY);
        assertThat(twiceGiven.getBody()).contains("'state' is given 2 times: give it once");
        // a path nothing serves is a problem detail saying so
        ResponseEntity<String> misspelt = api.call("operator", HttpMethod.POST, "/api/rollouts/r-1/rollbak", "{}",
                String.class);
        assertThat(misspelt.getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
        assertThat(misspelt.getBody()).contains("'/api/rollouts/r-1/rollbak': nothing is served at this path");
        assertThat(api.call("operator", HttpMethod.GET, "/api/rollouts/r-1/rollbak?a=1&a=2", null, String.class)
                .getStatusCode()).as("a path nothing serves, whatever its query").isEqualTo(HttpStatus.NOT_FOUND);
        for (String name : List.of("form-4", "form-5")) {
            assertThat(api.call("operator", HttpMethod.GET, "/api/deployments/" + name, null, String.class)
                    .getStatusCode()).as(name).isEqualTo(HttpStatus.NOT_FOUND);
        }
    }

    /**
     * A rollout request's problems are listed together, a missing deployment among them; a blackout that could never
     * hold the rollout (in the past, or dated far ahead: seconds for milliseconds) is refused as a window would be.
     */
    @Test
    void listsEveryProblemOfARolloutRequest() {
        Api api = new Api(rest);
        java.time.Instant now = java.time.Instant.now();
        ResponseEntity<String> response = api.call("operator", HttpMethod.POST, "/api/rollouts", Map.of(
                "failurePolicy", "sometimes", "blackouts", List.of(
                        Map.of("start", now.minusSeconds(7200).toString(), "end", now.minusSeconds(3600).toString()),
                        Map.of("start", "+58970-01-01T00:00:00Z", "end", "+58970-01-04T00:00:00Z"))), String.class);
        assertThat(response.getStatusCode()).isEqualTo(HttpStatus.UNPROCESSABLE_ENTITY);
        assertThat(response.getBody()).contains("deployment is required").contains("failurePolicy must be stop or"
                + " continue").contains("blackouts[0]").contains("is in the past")
                .contains("blackouts[1]").contains("days ahead");
        // a bound on failed hosts under the policy that pauses at the first: it would not hold
        ResponseEntity<String> bounded = api.call("operator", HttpMethod.POST, "/api/rollouts", Map.of(
                "deployment", "nosuch", "failurePolicy", "stop", "maxFailedHosts", 3), String.class);
        assertThat(bounded.getStatusCode()).isEqualTo(HttpStatus.UNPROCESSABLE_ENTITY);
        assertThat(bounded.getBody()).contains("maxFailedHosts 3 applies to failurePolicy continue only");
    }

    /** The README's sample deployment is one the service accepts and plans, as a new user would send it. */
    @Test
    void acceptsAndPlansTheReadmesSampleDeployment() throws Exception {
        String readme = java.nio.file.Files.readString(java.nio.file.Path.of("..", "README.md"));
        int section = readme.indexOf("## Deployments");
        int start = readme.indexOf("```json\n", section) + "```json\n".length();
        String sample = readme.substring(start, readme.indexOf("```", start));
        Api api = new Api(rest);
        ResponseEntity<String> put = api.putJson("operator", "/api/deployments/east", sample);
        assertThat(put.getStatusCode()).as(put.getBody()).isEqualTo(HttpStatus.OK);
        ResponseEntity<String> plan = api.call("operator", HttpMethod.GET, "/api/deployments/east/plan?target=6.3",
                null, String.class);
        assertThat(plan.getStatusCode()).as(plan.getBody()).isEqualTo(HttpStatus.OK);
        assertThat(plan.getBody()).contains("st1").contains("web1").contains("mta2");
    }

    @Test
    void plansTheDeploymentWithEveryCommandAndRefuses52WithTheReason() {
        Api api = new Api(rest);
        assertThat(api.putJson("operator", "/api/deployments/planned", VALID).getStatusCode()).isEqualTo(HttpStatus.OK);
        var response = api.call("operator", HttpMethod.GET, "/api/deployments/planned/plan?target=6.3", null, String.class);
        assertThat(response.getHeaders().getFirst("Server-Timing")).as("time the planning took")
                .matches("plan;dur=\\d+\\.\\d");
        String plan = response.getBody();
        assertThat(plan).contains("patchadd '/tmp/120228-26'").contains("rpm -Fvh '/tmp/sun-messaging-server-6.3-13.9.i386.rpm'")
                .contains("cannot be rolled back").contains("\"secret\":\"ds-manager\"");

        // a cluster's hosts are not offered a rollback (the API refuses it); a standalone Solaris store is
        var hosts = readTree(plan).get("hosts");
        for (var host : hosts) {
            String name = host.get("host").asText();
            if (List.of("node1", "nodex").contains(name)) {
                assertThat(host.get("rollbackSteps")).as(name).isEmpty();
                assertThat(host.get("warnings").toString()).as(name)
                        .contains("no rollback: the hosts of a high-availability cluster");
            } else if (name.equals("store2")) {
                assertThat(host.get("rollbackSteps")).isNotEmpty();
                assertThat(host.get("warnings").toString()).contains("rollback: once 6.3 has run");
            }
        }
        assertThat(hosts.findValuesAsText("host")).contains("node1", "nodex", "store2");

        // a node whose msgSvrBase is its standby's own: the standby's useconfig would point at its own configuration
        assertThat(plan).contains("msgSvrBase /opt/SUNWmsgsr is also the standby nodex's");
        ObjectNode shared = valid();
        host(shared, 3).put("msgSvrBase", "/global/node1/SUNWmsgsr");
        assertThat(registeredAndPlanned(api, "shared", shared)).doesNotContain("is also the standby");

        // an IMAP proxy account on a Linux host: the Solaris procedure's step, said so in the plan
        ObjectNode proxied = valid();
        host(proxied, 2).putObject("proxyAdmin").put("user", "webproxy").put("passwordSecret", "proxy-admin");
        assertThat(registeredAndPlanned(api, "proxied", proxied)).contains("the guide's Linux procedure has no such step");
        assertThat(plan).doesNotContain("the guide's Linux procedure has no such step");

        // a webmail front end reading no store: the guide's configuration to reach its stores cannot be planned
        ObjectNode unread = valid();
        ((ObjectNode) unread.get("webmailStores")).removeAll();
        unread.remove("webmailProxyAdmin");
        assertThat(registeredAndPlanned(api, "unread", unread))
                .contains("serves webmail but webmailStores names no store it reads");
        assertThat(plan).doesNotContain("webmailStores names no store");

        ObjectNode old = valid();
        host(old, 0).put("sourceRelease", "5.2");
        assertThat(api.putJson("operator", "/api/deployments/old", old.toString()).getStatusCode()).isEqualTo(HttpStatus.OK);
        ResponseEntity<String> refused = api.call("operator", HttpMethod.POST, "/api/rollouts",
                java.util.Map.of("deployment", "old", "target", "6.3"), String.class);
        assertThat(refused.getStatusCode()).isEqualTo(HttpStatus.UNPROCESSABLE_ENTITY);
        assertThat(refused.getBody()).contains("store1: no direct upgrade from Messaging Server 5.2").contains("2005Q1");

        // a cluster's rolling upgrade starts from 6.2p3, 6.2 or (Solaris) 6.1 (the guide's High Availability Clusters,
        // and its rule for the earlier releases), its hosts at one release
        ObjectNode cluster = valid();
        host(cluster, 3).put("sourceRelease", "6.0");
        assertThat(api.putJson("operator", "/api/deployments/old-node", cluster.toString()).getStatusCode())
                .isEqualTo(HttpStatus.OK);
        ResponseEntity<String> oldNode = api.call("operator", HttpMethod.POST, "/api/rollouts",
                java.util.Map.of("deployment", "old-node", "target", "6.3"), String.class);
        assertThat(oldNode.getStatusCode()).isEqualTo(HttpStatus.UNPROCESSABLE_ENTITY);
        assertThat(oldNode.getBody()).contains("node1: a host of the n-plus-1 cluster cluster is at 6.0 on solaris")
                .contains("starts from 6.2p3, 6.2 or, on Solaris, 6.1").contains("at different releases (node1 6.0,"
                        + " nodex 6.2p3)");
        for (String release : List.of("6.2", "6.1")) {
            ObjectNode q1 = valid();
            host(q1, 3).put("sourceRelease", release);
            host(q1, 4).put("sourceRelease", release);
            assertThat(api.putJson("operator", "/api/deployments/q1-" + release.replace('.', '-'), q1.toString())
                    .getStatusCode()).isEqualTo(HttpStatus.OK);
            ResponseEntity<String> q1Plan = api.call("operator", HttpMethod.GET, "/api/deployments/q1-"
                    + release.replace('.', '-') + "/plan", null, String.class);
            assertThat(q1Plan.getStatusCode()).isEqualTo(HttpStatus.OK);
            // (the webmail's proxy secret is not configured in this test: that error alone)
            assertThat(readTree(q1Plan.getBody()).get("errors").toString()).as(release).doesNotContain("cluster");
        }
    }

    /**
     * A secret the rollout's commands name but the service cannot resolve: the plan says so, and the rollout is
     * refused (422) rather than halted at the step that needs it, its hosts stopped and patched; nothing is stored.
     */
    @Test
    void aRolloutWhoseSecretsAreNotConfiguredIsRefusedBeforeAnyHostIsTouched() {
        Api api = new Api(rest);
        String missing = "secret 'webmail-proxy' is not configured: set MSGSRV_SECRET_WEBMAIL_PROXY or add it to the"
                + " secrets file (msgsrv.secrets.file)";
        assertThat(registeredAndPlanned(api, "unconfigured", valid())).contains(missing)
                .doesNotContain("secret 'ds-manager' is not configured");
        ResponseEntity<String> refused = api.call("operator", HttpMethod.POST, "/api/rollouts",
                java.util.Map.of("deployment", "unconfigured", "target", "6.3"), String.class);
        assertThat(refused.getStatusCode()).isEqualTo(HttpStatus.UNPROCESSABLE_ENTITY);
        assertThat(refused.getBody()).contains(missing).doesNotContain("ds-manager");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM \"MSGSRV\".rollout WHERE deployment_name = ?",
                Integer.class, "unconfigured")).isZero();

        // without the webmail front end, no command names it: planned without error
        ObjectNode storesOnly = valid();
        ((com.fasterxml.jackson.databind.node.ArrayNode) storesOnly.withArray("hosts")).remove(2);
        storesOnly.remove("webmailStores");
        storesOnly.remove("webmailProxyAdmin");
        assertThat(registeredAndPlanned(api, "stores-only", storesOnly)).contains("\"errors\":[]");
    }

    @Autowired
    org.springframework.jdbc.core.JdbcTemplate jdbc;

    /** The deployment registered under {@code name} (200), and its plan to 6.3. */
    private static String registeredAndPlanned(Api api, String name, ObjectNode deployment) {
        assertThat(api.putJson("operator", "/api/deployments/" + name, deployment.toString()).getStatusCode())
                .isEqualTo(HttpStatus.OK);
        return api.call("operator", HttpMethod.GET, "/api/deployments/" + name + "/plan?target=6.3", null, String.class)
                .getBody();
    }
}
