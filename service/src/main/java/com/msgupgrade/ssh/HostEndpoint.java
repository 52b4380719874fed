package com.msgupgrade.ssh;

/** Where a host's SSH server listens. */
public record HostEndpoint(String hostName, String address, int port, String user) {

    @Override
    public String toString() {
        return hostName + " (" + user + "@" + address + ":" + port + ")";
    }
}
