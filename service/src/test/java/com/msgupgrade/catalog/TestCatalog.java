package com.msgupgrade.catalog;

import java.util.Map;

/** The catalog settings of application.yaml, for tests that build a catalog without Spring. */
public final class TestCatalog {

    private TestCatalog() {}

    public static final CatalogProperties PROPERTIES = new CatalogProperties(
            new CatalogProperties.Solaris(Map.of("sparc", "120228-26", "x86", "120229-26"),
                    Map.of("sparc", "126479-05", "x86", "126480-05")),
            new CatalogProperties.Linux("120230-17", "sun-messaging-server-6.3-13.9.i386.rpm", "117786-17",
                    "sun-messaging-{locale}-6.3-1.7.i386.rpm"),
            16384);
}
