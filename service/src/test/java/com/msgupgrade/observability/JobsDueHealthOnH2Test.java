package com.msgupgrade.observability;

import org.springframework.jdbc.datasource.DriverManagerDataSource;

/** {@link JobsDueHealthTest}'s cases on H2, whose GREATEST is null when any argument is: a job never acquired has no lock. */
class JobsDueHealthOnH2Test extends JobsDueHealthTest {

    @Override
    protected DriverManagerDataSource database() {
        return new DriverManagerDataSource("jdbc:h2:mem:jobs-" + java.util.UUID.randomUUID() + ";DB_CLOSE_DELAY=-1",
                "sa", "");
    }

    @Override
    protected String schemaName() {
        return "h2";
    }
}
