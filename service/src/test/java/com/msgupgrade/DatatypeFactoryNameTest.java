package com.msgupgrade;

import static org.assertj.core.api.Assertions.assertThat;

import javax.xml.datatype.DatatypeFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The engine's durations are parsed without searching the class path for a DatatypeFactory each time. */
class DatatypeFactoryNameTest {

    private String before;

    @BeforeEach
    void remember() {
        before = System.getProperty(DatatypeFactory.DATATYPEFACTORY_PROPERTY);
        System.clearProperty(DatatypeFactory.DATATYPEFACTORY_PROPERTY);
    }

    @AfterEach
    void restore() {
        if (before == null) {
            System.clearProperty(DatatypeFactory.DATATYPEFACTORY_PROPERTY);
        } else {
            System.setProperty(DatatypeFactory.DATATYPEFACTORY_PROPERTY, before);
        }
    }

    @Test
    void theJdksOwnFactoryIsNamedAndParsesTheRetryCycle() throws Exception {
        UpgradeServiceApplication.nameTheDatatypeFactory();

        assertThat(System.getProperty(DatatypeFactory.DATATYPEFACTORY_PROPERTY))
                .isEqualTo(DatatypeFactory.DATATYPEFACTORY_IMPLEMENTATION_CLASS);
        assertThat(DatatypeFactory.newInstance().newDuration("PT10S").getSeconds()).isEqualTo(10);
    }

    @Test
    void aFactoryTheOperatorNamedIsKept() {
        System.setProperty(DatatypeFactory.DATATYPEFACTORY_PROPERTY, "org.example.TheirFactory");

        UpgradeServiceApplication.nameTheDatatypeFactory();

        assertThat(System.getProperty(DatatypeFactory.DATATYPEFACTORY_PROPERTY)).isEqualTo("org.example.TheirFactory");
    }
}
