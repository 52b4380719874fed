package com.msgupgrade.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.springframework.stereotype.Component;

/**
 * The audit trail of a rollout as rows: JSON objects, or RFC 4180 CSV with the same fields. The rows carry every
 * field the chain's hashes cover ({@link AuditTrail#hashOf}: rolloutId, seq, recordedAt, actor, kind, host, step,
 * detail, prevHash), so that an auditor can verify the chain from the export alone; decision, comment, command,
 * outcome, exitCode and outputSha256 are read out of {@code detail} for the reader.
 */
@Component
public class AuditExport {

    public static final List<String> COLUMNS = List.of("rolloutId", "seq", "recordedAt", "actor", "kind", "host",
            "step", "decision", "comment", "command", "exitCode", "outcome", "outputSha256", "detail", "prevHash",
            "hash");

    /**
     * The columns read out of {@code detail}, which no hash covers as such: in the CSV, a value of theirs that a
     * spreadsheet would take for a formula (=, +, -, @, a tab or a carriage return first: a comment, a host's
     * output) starts with an apostrophe. {@code detail} itself is JSON (an object: '{' first) and stays as hashed.
     */
    static final java.util.Set<String> READ_OUT_OF_DETAIL = java.util.Set.of("decision", "comment", "command", "outcome");

    private final ObjectMapper json = new ObjectMapper();

    public List<Map<String, Object>> rows(List<AuditEntry> entries) {
        return entries.stream().map(this::row).toList();
    }

    /** An entry as a row: every column, null included. */
    public Map<String, Object> row(AuditEntry e) {
        JsonNode detail = parse(e.detail());
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("rolloutId", e.rolloutId());
        row.put("seq", e.seq());
        row.put("recordedAt", e.recordedAt().toString());
        row.put("actor", e.actor());
        row.put("kind", e.kind());
        row.put("host", e.host());
        row.put("step", e.step());
        row.put("decision", text(detail, "decision"));
        row.put("comment", text(detail, "comment"));
        row.put("command", text(detail, "command"));
        row.put("exitCode", detail.has("exitCode") ? detail.get("exitCode").asInt() : null);
        row.put("outcome", text(detail, "outcome"));
        row.put("outputSha256", text(detail, "outputSha256"));
        row.put("detail", e.detail());
        row.put("prevHash", e.prevHash());
        row.put("hash", e.hash());
        return row;
    }

    /** Entries given one at a time to a consumer, as a query reads them (no list of a whole trail in memory). */
    @FunctionalInterface
    public interface Entries {
        void forEach(java.util.function.Consumer<AuditEntry> each);
    }

    /**
     * The rows as a JSON array, written as the entries come. An export cut short by a failure is left without its
     * closing bracket: not a shorter trail that parses (the CSV's reader compares its last seq with the head's).
     */
    public void json(Entries entries, OutputStream out) throws IOException {
        try (JsonGenerator generator = json.getFactory().createGenerator(out)
                .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET) // the response's stream is the container's
                .disable(JsonGenerator.Feature.AUTO_CLOSE_JSON_CONTENT)) {
            generator.writeStartArray();
            entries.forEach(e -> {
                try {
                    generator.writeObject(row(e));
                } catch (IOException failed) {
                    throw new UncheckedIOException(failed);
                }
            });
            generator.writeEndArray();
        }
    }

    public String csv(List<AuditEntry> entries) {
        StringWriter out = new StringWriter();
        try {
            csv(entries::forEach, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** The rows as RFC 4180 CSV with a header, written as the entries come. */
    public void csv(Entries entries, Writer out) throws IOException {
        // not closed: the response's stream is the container's
        CSVPrinter printer = new CSVPrinter(out, CSVFormat.RFC4180.builder().setHeader(COLUMNS.toArray(String[]::new))
                .get());
        entries.forEach(e -> {
            Map<String, Object> row = row(e);
            List<Object> values = new ArrayList<>();
            for (String column : COLUMNS) {
                Object value = row.get(column);
                values.add(value == null ? "" : READ_OUT_OF_DETAIL.contains(column) ? notAFormula((String) value)
                        : value);
            }
            try {
                printer.printRecord(values);
            } catch (IOException failed) {
                throw new UncheckedIOException(failed);
            }
        });
        printer.flush();
    }

    /** The text, with an apostrophe first when a spreadsheet would take it for a formula. */
    static String notAFormula(String text) {
        return !text.isEmpty() && "=+-@\t\r".indexOf(text.charAt(0)) >= 0 ? "'" + text : text;
    }

    private JsonNode parse(String detail) {
        try {
            return json.readTree(detail);
        } catch (IOException e) {
            return json.createObjectNode();
        }
    }

    private static String text(JsonNode node, String field) {
        return node.has(field) && !node.get(field).isNull() ? node.get(field).asText() : null;
    }
}
