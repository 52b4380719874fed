package com.msgupgrade.support;

import com.msgupgrade.simulator.FleetOptions;
import com.msgupgrade.simulator.HostSpec;
import com.msgupgrade.simulator.SimulatedFleet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.util.FileSystemUtils;

/** A simulated fleet for a test class, with the service's SSH and secrets settings pointing at it. */
public final class FleetSupport {

    public static final String DS_PASSWORD = "Dm-s3cret-Pw!42";
    public static final String PROXY_PASSWORD = "Pr0xy-s3cret-Pw!7";

    private FleetSupport() {}

    /**
     * Starts the hosts in a new directory, removed when the JVM exits unless {@code -Dfleet.keep=true} (to look at
     * the hosts' command logs and run directories after a failure).
     */
    public static SimulatedFleet start(String name, String firstAddress, List<HostSpec> hosts) {
        try {
            Path dir = Files.createTempDirectory("fleet-" + name + "-");
            if (!Boolean.getBoolean("fleet.keep")) {
                Runtime.getRuntime().addShutdownHook(new Thread(() -> FileSystemUtils.deleteRecursively(dir.toFile())));
            }
            SimulatedFleet fleet = SimulatedFleet.start(dir, hosts,
                    FleetOptions.defaults().withName(name).withFirstAddress(firstAddress).withPort(0));
            Path secrets = dir.resolve("secrets.properties");
            Files.writeString(secrets, "ds-manager=" + DS_PASSWORD + "\nproxy-admin=" + PROXY_PASSWORD + "\n");
            Files.setPosixFilePermissions(secrets, PosixFilePermissions.fromString("rw-------"));
            return fleet;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void register(DynamicPropertyRegistry registry, SimulatedFleet fleet) {
        registry.add("msgsrv.ssh.private-key", () -> fleet.privateKey().toString());
        registry.add("msgsrv.ssh.known-hosts", () -> fleet.knownHosts().toString());
        registry.add("msgsrv.secrets.file", () -> fleet.dir().resolve("secrets.properties").toString());
        // the tests not about the review of patch-config's new configuration open it only for the conflicts a host's
        // patch-config reports (the simulator's faults); SolarisUpgradeEndToEndTest has it as the service's default
        registry.add("msgsrv.review.patch-config", () -> REVIEW_WHEN_REPORTED);
    }

    public static final String REVIEW_WHEN_REPORTED = "when-reported";

    public static String deploymentJson(SimulatedFleet fleet) {
        try {
            return Files.readString(fleet.deploymentFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
