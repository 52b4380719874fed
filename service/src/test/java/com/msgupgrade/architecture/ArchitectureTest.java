package com.msgupgrade.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The few rules that matter (STYLE.md): SSH only in ssh, the simulator only in tests, no field injection. */
@AnalyzeClasses(packages = "com.msgupgrade", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    @ArchTest
    static final ArchRule jschOnlyInTheSshPackage = noClasses().that().resideOutsideOfPackage("com.msgupgrade.ssh..")
            .should().dependOnClassesThat().resideInAPackage("com.jcraft.jsch..");

    @ArchTest
    static final ArchRule theServiceNeverDependsOnTheSimulator = noClasses().that()
            .resideInAPackage("com.msgupgrade..").and().resideOutsideOfPackage("com.msgupgrade.simulator..")
            .should().dependOnClassesThat().resideInAPackage("com.msgupgrade.simulator..");

    @ArchTest
    static final ArchRule noFieldInjection = noClasses().should().dependOnClassesThat()
            .haveFullyQualifiedName("org.springframework.beans.factory.annotation.Autowired");
}
