package com.msgupgrade.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.msgupgrade.simulator.HostSpec;
import com.msgupgrade.simulator.SimulatedFleet;
import com.msgupgrade.support.Api;
import com.msgupgrade.support.FleetSupport;
import com.msgupgrade.support.Flow;
import com.msgupgrade.support.FreshPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.camunda.bpm.engine.TaskService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.HttpMethod;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.ContextConfiguration;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * After a whole rollout that used the Directory Manager and the proxy admin passwords, neither is in any
 * table (the engine's or the service's), in the log output, in an audit export, on a host command line,
 * or left on the host.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "msgsrv.demo=true",
        "msgsrv.runs.poll-interval=PT1S",
        "logging.level.com.msgupgrade=DEBUG"})
@ExtendWith(OutputCaptureExtension.class)
@ContextConfiguration(initializers = FreshPostgres.class)
class SecretsNeverLeakTest {

    static final SimulatedFleet fleet = FleetSupport.start("secrets", "127.0.0.81", List.of(
            HostSpec.solaris("ms1", "6.2p3", List.of("store"))));
    static final List<String> SECRETS = List.of(FleetSupport.DS_PASSWORD, FleetSupport.PROXY_PASSWORD);

    @DynamicPropertySource
    static void fleetProperties(DynamicPropertyRegistry registry) {
        FleetSupport.register(registry, fleet);
    }

    @AfterAll
    static void stopFleet() {
        fleet.close();
    }

    @Autowired
    TestRestTemplate rest;
    @Autowired
    TaskService tasks;
    @Autowired
    JdbcTemplate jdbc;

    @Test
    void noSecretInAnyTableLogExportCommandLineOrHostFile(CapturedOutput output) throws IOException {
        Api api = new Api(rest);
        Flow flow = new Flow(api, tasks);
        flow.deploy("secrets", FleetSupport.deploymentJson(fleet), List.of("ms1"), d -> ((com.fasterxml.jackson.databind.node.ObjectNode)
                d.withArray("hosts").get(0)).putObject("proxyAdmin").put("user", "webproxy").put("passwordSecret", "proxy-admin"));
        String id = flow.startApproved("secrets");
        flow.approve(id, "Task_ApproveHostUpgrade");
        flow.finish(id);
        // the secrets were used: the host got both
        assertThat(fleet.host("ms1").stateLines("configutil")).contains("local.service.proxy.adminpass="
                + FleetSupport.PROXY_PASSWORD);
        assertThat(fleet.host("ms1").stateLines("ldif-imported")).hasSize(1);

        List<String> scanned = new ArrayList<>();
        for (Map<String, Object> table : jdbc.queryForList("SELECT TABLE_SCHEMA, TABLE_NAME FROM INFORMATION_SCHEMA.TABLES"
                + " WHERE UPPER(TABLE_SCHEMA) IN ('PUBLIC', 'MSGSRV') AND TABLE_TYPE = 'BASE TABLE'")) {
            String name = "\"" + table.get("TABLE_SCHEMA") + "\".\"" + table.get("TABLE_NAME") + "\"";
            jdbc.query("SELECT * FROM " + name, (ResultSet rs) -> {
                int columns = rs.getMetaData().getColumnCount();
                for (int c = 1; c <= columns; c++) {
                    Object value = rs.getObject(c);
                    String text = value instanceof byte[] bytes ? new String(bytes, StandardCharsets.ISO_8859_1)
                            : value instanceof java.sql.Blob blob ? new String(blob.getBytes(1, (int) blob.length()),
                            StandardCharsets.ISO_8859_1) : String.valueOf(value);
                    for (String secret : SECRETS) {
                        assertThat(text).as(name + "." + rs.getMetaData().getColumnName(c)).doesNotContain(secret);
                    }
                }
            });
            scanned.add(name.toUpperCase(java.util.Locale.ROOT)); // PostgreSQL's names are in lower case
        }
        assertThat(scanned).contains("\"PUBLIC\".\"ACT_HI_VARINST\"", "\"PUBLIC\".\"ACT_GE_BYTEARRAY\"",
                "\"MSGSRV\".\"AUDIT_EVENT\"", "\"MSGSRV\".\"COMMAND_RUN\"", "\"PUBLIC\".\"ACT_HI_DETAIL\"");

        String json = api.call("auditor", HttpMethod.GET, "/api/rollouts/" + id + "/audit", null, String.class).getBody();
        String csv = api.call("auditor", HttpMethod.GET, "/api/rollouts/" + id + "/audit?format=csv", null, String.class)
                .getBody();
        String page = api.call("auditor", HttpMethod.GET, "/rollouts/" + id + "/audit", null, String.class).getBody();
        assertThat(json).contains("ds-manager").contains("proxy-admin"); // the names, as evidence
        for (String secret : SECRETS) {
            assertThat(json).doesNotContain(secret);
            assertThat(csv).doesNotContain(secret);
            assertThat(page).doesNotContain(secret);
            assertThat(output.getAll()).doesNotContain(secret);
            assertThat(fleet.host("ms1").commandLog()).noneMatch(e -> e.argLine().contains(secret));
        }
        assertThat(output.getAll()).contains("patchadd") // the log did record the work, naming rollout, host, step
                .contains("[rollout=" + id + " host=ms1 step=apply-core-patch]");
        try (Stream<Path> files = Files.walk(fleet.host("ms1").workDir())) {
            assertThat(files.filter(f -> f.getFileName().toString().equals("secret"))).isEmpty();
        }
    }
}
