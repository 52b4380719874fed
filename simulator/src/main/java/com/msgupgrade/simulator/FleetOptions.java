package com.msgupgrade.simulator;

import java.util.Objects;

/**
 * How a {@link SimulatedFleet} is served.
 *
 * @param name         deployment name written to deployment.json
 * @param firstAddress loopback address of the first host; the next hosts get the following addresses
 * @param port         SSH port of every host; 0 picks a free port per host
 * @param sshUser      user name written to deployment.json (any user is accepted with the fleet key)
 */
public record FleetOptions(String name, String firstAddress, int port, String sshUser) {

    public FleetOptions {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(firstAddress, "firstAddress");
        Objects.requireNonNull(sshUser, "sshUser");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }

    public static FleetOptions defaults() {
        return new FleetOptions("demo", "127.0.0.11", 2222, "root");
    }

    public FleetOptions withName(String newName) {
        return new FleetOptions(newName, firstAddress, port, sshUser);
    }

    public FleetOptions withFirstAddress(String newFirstAddress) {
        return new FleetOptions(name, newFirstAddress, port, sshUser);
    }

    public FleetOptions withPort(int newPort) {
        return new FleetOptions(name, firstAddress, newPort, sshUser);
    }
}
