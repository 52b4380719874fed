package com.msgupgrade.audit;

import static org.springframework.web.util.HtmlUtils.htmlEscape;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.msgupgrade.rollout.Rollout;
import com.msgupgrade.rollout.RolloutRepository;
import com.msgupgrade.security.Groups;
import com.msgupgrade.web.NotFoundException;
import java.io.IOException;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.camunda.bpm.model.bpmn.BpmnModelInstance;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * The audit trail of a rollout: JSON, CSV, a printable page, and its verification. Auditors read every
 * rollout's trail; operators read the rollouts they requested; nobody changes anything here.
 */
@RestController
class AuditController {

    private final AuditTrail trail;
    private final AuditExport export;
    private final RolloutRepository rollouts;
    private final ProcessDiagram diagrams;
    private final ObjectMapper json = new ObjectMapper();

    AuditController(AuditTrail trail, AuditExport export, RolloutRepository rollouts, ProcessDiagram diagrams) {
        this.trail = trail;
        this.export = export;
        this.rollouts = rollouts;
        this.diagrams = diagrams;
    }

    @GetMapping("/api/rollouts/{id}/audit")
    ResponseEntity<StreamingResponseBody> audit(@PathVariable String id,
            @RequestParam(defaultValue = "json") String format, Authentication user) {
        readable(id, user);
        if (!"json".equalsIgnoreCase(format) && !"csv".equalsIgnoreCase(format)) {
            throw new com.msgupgrade.web.InvalidRequestException("unknown format",
                    List.of("format must be json or csv, was " + format));
        }
        // the head the rollout records, for an auditor to check that the export ends where the chain does (an entry
        // removed from the end leaves a chain that links): keep it with the export, or anchor it elsewhere; read
        // first, and the entries up to it (those never change), so that an entry appended meanwhile is in neither.
        // The entries are written as they are read: a trail of a thousand hosts is not held in memory
        Map<String, Object> head = trail.head(id).orElse(Map.of());
        long headSeq = head.get("audit_seq") == null ? 0 : ((Number) head.get("audit_seq")).longValue();
        AuditExport.Entries entries = each -> trail.forEachEntry(id, headSeq, each);
        org.springframework.http.HttpHeaders headers = new org.springframework.http.HttpHeaders();
        headers.add("Audit-Head-Seq", String.valueOf(headSeq));
        headers.add("Audit-Head-Hash", head.get("audit_hash") == null ? AuditTrail.GENESIS
                : (String) head.get("audit_hash"));
        if ("csv".equalsIgnoreCase(format)) {
            StreamingResponseBody csv = out -> {
                java.io.Writer writer = new java.io.OutputStreamWriter(out, java.nio.charset.StandardCharsets.UTF_8);
                export.csv(entries, writer);
                writer.flush();
            };
            return ResponseEntity.ok().headers(headers).contentType(new MediaType("text", "csv",
                    java.nio.charset.StandardCharsets.UTF_8))
                    .header("Content-Disposition", "attachment; filename=\"audit-" + id + ".csv\"").body(csv);
        }
        // every column in every row, null included (the application's JSON leaves nulls out elsewhere)
        StreamingResponseBody rows = out -> export.json(entries, out);
        return ResponseEntity.ok().headers(headers).contentType(MediaType.APPLICATION_JSON).body(rows);
    }

    @GetMapping("/api/rollouts/{id}/audit/verify")
    AuditTrail.Verification verify(@PathVariable String id, @RequestParam(required = false) Long seq,
            @RequestParam(required = false) String hash, Authentication user) {
        readable(id, user);
        if ((seq == null) != (hash == null)) {
            throw new com.msgupgrade.web.InvalidRequestException("incomplete head", List.of("a head kept from an"
                    + " export is its seq and its hash (Audit-Head-Seq, Audit-Head-Hash): give both, or neither"));
        }
        AuditTrail.Snapshot snapshot = trail.snapshot(id);
        return seq == null ? snapshot.verification() : snapshot.verification().against(snapshot.entries(), seq, hash);
    }

    /**
     * An evidence text a gate showed, whole, by the SHA-256 a {@code GATE_OPENED} or {@code DECISION} entry names it
     * by (its {@code evidence}): what was before the person who decided, as the trail's hash chain vouches for.
     */
    @GetMapping(value = "/api/rollouts/{id}/audit/evidence/{sha256}", produces = "text/plain;charset=UTF-8")
    String evidence(@PathVariable String id, @PathVariable String sha256, Authentication user) {
        readable(id, user);
        return trail.evidence(id, sha256).orElseThrow(() -> new NotFoundException("no evidence "
                + com.msgupgrade.web.Shown.quoted(sha256) + " in the trail of rollout " + id));
    }

    /** The printable audit page: summary, the models with the path taken, the timeline, per-host results. */
    @GetMapping(value = "/rollouts/{id}/audit", produces = MediaType.TEXT_HTML_VALUE)
    String page(@PathVariable String id, Authentication user) throws IOException {
        Rollout rollout = readable(id, user);
        AuditTrail.Snapshot snapshot = trail.snapshot(id); // the entries shown are those verified
        List<AuditEntry> entries = snapshot.entries();
        AuditTrail.Verification verification = snapshot.verification();
        StringBuilder html = new StringBuilder();
        html.append("<!DOCTYPE html><html><head><meta charset='utf-8'><title>Audit of rollout ")
                .append(htmlEscape(id)).append("</title><style>body{font-family:sans-serif;margin:2em;font-size:13px}"
                        + "table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:3px 6px;"
                        + "text-align:left;vertical-align:top}th{background:#eee}.bad{color:#b00}.ok{color:#070}"
                        + "pre{white-space:pre-wrap;margin:0;font-size:11px}h2{page-break-before:auto}"
                        + "@media print{.host{page-break-inside:avoid}}</style></head><body>");
        html.append("<h1>Audit of rollout ").append(htmlEscape(id)).append("</h1><table>");
        row(html, "Deployment", rollout.deploymentName());
        row(html, "Target release", rollout.targetRelease());
        row(html, "Requested by", rollout.requestedBy());
        row(html, "Requested at", rollout.requestedAt().toString());
        row(html, "State", rollout.state());
        row(html, "Entries", Integer.toString(entries.size()));
        html.append("<tr><th>Hash chain</th><td class='").append(verification.valid() ? "ok" : "bad").append("'>")
                .append(htmlEscape(verification.message())).append("</td></tr></table>");

        html.append("<h2>Hosts</h2>");
        for (RolloutRepository.HostProgress host : rollouts.hosts(id)) {
            html.append("<div class='host'><h3>").append(htmlEscape(host.host())).append(" — ")
                    .append(htmlEscape(host.state())).append(" (").append(htmlEscape(host.procedure()))
                    .append(")</h3>");
            Set<String> steps = new HashSet<>();
            Set<String> tasks = new HashSet<>();
            int commands = 0;
            int failed = 0;
            for (AuditEntry e : entries) {
                if (!host.host().equals(e.host())) {
                    continue;
                }
                JsonNode detail = json.readTree(e.detail());
                if (e.kind().equals("COMMAND") || e.kind().equals("CHECK")) {
                    steps.add(e.step());
                    commands++;
                    failed += "FAILED".equals(detail.path("outcome").asText()) ? 1 : 0;
                }
                if (e.kind().equals("DECISION")) {
                    tasks.add(detail.path("task").asText());
                }
            }
            html.append("<p>").append(commands).append(" commands, ").append(failed).append(" failed.</p>");
            for (String key : processKeys(host, entries)) {
                BpmnModelInstance model = diagrams.model(key);
                html.append("<p><b>").append(htmlEscape(key)).append("</b></p>")
                        .append(diagrams.svg(model, diagrams.passed(model, steps, tasks)));
            }
            html.append("</div>");
        }

        html.append("<h2>Timeline</h2><table><tr><th>#</th><th>When (UTC)</th><th>Who</th><th>What</th><th>Host</th>"
                + "<th>Step</th><th>Details</th></tr>");
        for (Map<String, Object> r : export.rows(entries)) {
            html.append("<tr><td>").append(r.get("seq")).append("</td><td>").append(htmlEscape(str(r.get("recordedAt"))))
                    .append("</td><td>").append(htmlEscape(str(r.get("actor")))).append("</td><td>")
                    .append(htmlEscape(str(r.get("kind")))).append("</td><td>").append(htmlEscape(str(r.get("host"))))
                    .append("</td><td>").append(htmlEscape(str(r.get("step")))).append("</td><td>")
                    .append(details(r)).append("</td></tr>");
        }
        html.append("</table></body></html>");
        return html.toString();
    }

    private static List<String> processKeys(RolloutRepository.HostProgress host, List<AuditEntry> entries) {
        String key = switch (host.procedure()) {
            case "solaris-patch" -> "HostUpgradeSolaris";
            case "linux-rpm-freshen" -> "HostUpgradeLinux";
            case "linux-61-reinstall" -> "HostUpgradeLinux61";
            default -> null;
        };
        boolean rolledBack = entries.stream().anyMatch(e -> host.host().equals(e.host())
                && ("ROLLBACK_REQUESTED".equals(e.kind()) || e.detail().contains("HostRollbackSolaris")
                || "remove-core-patch".equals(e.step())));
        return key == null ? List.of() : rolledBack ? List.of(key, "HostRollbackSolaris") : List.of(key);
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper DETAIL = new com.fasterxml.jackson.databind.ObjectMapper();

    private static String details(Map<String, Object> r) {
        Map<String, Object> shown = new LinkedHashMap<>();
        for (String k : List.of("decision", "comment", "command", "exitCode", "outcome", "outputSha256")) {
            if (r.get(k) != null && !"".equals(r.get(k))) {
                shown.put(k, r.get(k));
            }
        }
        // a command's failure says why (one that never ran shows exit -1: held back, its secret missing, its run lost),
        // its excerpt what it answered: from the entry's detail, which the export's columns leave whole
        if (shown.containsKey("command")) {
            try {
                JsonNode detail = DETAIL.readTree(str(r.get("detail")));
                for (String k : List.of("failure", "outputExcerpt")) {
                    if (!detail.path(k).asText().isEmpty()) {
                        shown.put(k, detail.path(k).asText());
                    }
                }
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                // a detail that is no JSON object: its columns are shown, and the detail in the export
            }
        }
        if (shown.isEmpty()) {
            return "<pre>" + htmlEscape(str(r.get("detail"))) + "</pre>";
        }
        StringBuilder out = new StringBuilder();
        shown.forEach((k, v) -> out.append("<b>").append(k).append("</b>: ").append(List.of("command", "failure",
                "outputExcerpt").contains(k) ? "<pre>" + htmlEscape(str(v)) + "</pre>" : htmlEscape(str(v)) + "<br>"));
        return out.toString();
    }

    private static void row(StringBuilder html, String label, String value) {
        html.append("<tr><th>").append(htmlEscape(label)).append("</th><td>").append(htmlEscape(str(value)))
                .append("</td></tr>");
    }

    private static String str(Object o) {
        return o == null ? "" : o.toString();
    }

    private Rollout readable(String id, Authentication user) {
        Rollout rollout = rollouts.find(id).orElseThrow(() -> new NotFoundException("no rollout " + id));
        if (Groups.member(user, Groups.AUDITORS)) {
            return rollout;
        }
        if (Groups.member(user, Groups.OPERATORS)
                && com.msgupgrade.approval.Decisions.samePerson(rollout.requestedBy(), user.getName())) {
            return rollout;
        }
        throw new AccessDeniedException(user.getName() + " may not read the audit trail of rollout " + id);
    }
}
