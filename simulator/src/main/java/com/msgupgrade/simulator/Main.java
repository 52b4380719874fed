package com.msgupgrade.simulator;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Serves a simulated fleet until killed:
 * {@code java -jar msgsrv-simulator.jar --hosts N --dir DIR [--port 2222] [--first-address 127.0.0.11]
 * [--os solaris|linux] [--release 6.2p3] [--name demo]}.
 */
public final class Main {

    private static final String USAGE = "usage: java -jar msgsrv-simulator.jar --hosts N --dir DIR [--port 2222]"
            + " [--first-address 127.0.0.11] [--os solaris|linux] [--release 6.2p3] [--name demo]";

    private Main() {
    }

    public static void main(String[] args) throws InterruptedException {
        System.setProperty("org.slf4j.simpleLogger.log.org.apache.sshd", "warn");
        Map<String, String> options;
        try {
            options = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        int count = Integer.parseInt(options.getOrDefault("hosts", "3"));
        Path dir = Path.of(options.getOrDefault("dir", "fleet"));
        String os = options.getOrDefault("os", "solaris");
        String release = options.getOrDefault("release", "6.2p3");
        FleetOptions fleetOptions = FleetOptions.defaults()
                .withName(options.getOrDefault("name", "demo"))
                .withFirstAddress(options.getOrDefault("first-address", "127.0.0.11"))
                .withPort(Integer.parseInt(options.getOrDefault("port", "2222")));

        SimulatedFleet fleet = SimulatedFleet.start(dir, demoHosts(count, os, release), fleetOptions);
        Runtime.getRuntime().addShutdownHook(new Thread(fleet::close, "simulator-shutdown"));
        System.out.println("Simulated Messaging Server fleet '" + fleetOptions.name() + "' in " + fleet.dir());
        for (SimulatedHost host : fleet.hosts()) {
            System.out.println("  " + host + "  msgSvrBase=" + host.msgSvrBase());
        }
        System.out.println("  private key:     " + fleet.privateKey());
        System.out.println("  known_hosts:     " + fleet.knownHosts());
        System.out.println("  deployment.json: " + fleet.deploymentFile());
        System.out.println("Running until killed.");
        new CountDownLatch(1).await();
    }

    /** ms1 store, ms2 store, ms3 mta+mmp, further hosts store. */
    static List<HostSpec> demoHosts(int count, String os, String release) {
        String arch = "solaris".equals(os) ? "sparc" : "i386";
        List<HostSpec> specs = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            List<String> components = i == 3 ? List.of("mta", "mmp") : List.of("store");
            specs.add(new HostSpec("ms" + i, os, arch, release, components, List.of()));
        }
        return specs;
    }

    static Map<String, String> parse(String[] args) {
        Map<String, String> options = new HashMap<>();
        List<String> known = List.of("hosts", "dir", "port", "first-address", "os", "release", "name");
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--") || !known.contains(arg.substring(2))) {
                throw new IllegalArgumentException("unknown option " + arg);
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("missing value for " + arg);
            }
            options.put(arg.substring(2), args[++i]);
        }
        return options;
    }
}
