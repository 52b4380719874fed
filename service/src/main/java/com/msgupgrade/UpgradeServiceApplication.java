package com.msgupgrade;

import javax.xml.datatype.DatatypeFactory;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.scheduling.annotation.EnableScheduling;

@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
public class UpgradeServiceApplication {

    public static void main(String[] args) {
        nameTheDatatypeFactory();
        SpringApplication.run(UpgradeServiceApplication.class, args);
    }

    /**
     * The engine reads a retry cycle or a timer's duration ({@code R3/PT10S}) for every job it creates with one, each
     * time through {@link DatatypeFactory#newInstance()}, which, unless a system property names the implementation,
     * looks for one in every jar of the class path (JDK-6466177): 11% of the job threads' CPU samples in a profile of
     * the benchmark. The JDK's own implementation is named here, unless the operator named another.
     */
    static void nameTheDatatypeFactory() {
        if (System.getProperty(DatatypeFactory.DATATYPEFACTORY_PROPERTY) == null) {
            System.setProperty(DatatypeFactory.DATATYPEFACTORY_PROPERTY,
                    DatatypeFactory.DATATYPEFACTORY_IMPLEMENTATION_CLASS);
        }
    }
}
