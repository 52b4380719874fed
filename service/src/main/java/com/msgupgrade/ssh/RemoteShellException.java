package com.msgupgrade.ssh;

/**
 * A command could not be run or finished on a host. {@link Kind#HOST_KEY} and {@link Kind#AUTH}
 * are not transient: retrying will not help until someone fixes known_hosts or the key.
 */
public class RemoteShellException extends RuntimeException {

    public enum Kind { HOST_KEY, AUTH, CONNECT, CONNECTION_LOST, TIMEOUT }

    private final Kind kind;
    private final String hostName;

    public RemoteShellException(Kind kind, String hostName, String message, Throwable cause) {
        super(hostName + ": " + message, cause);
        this.kind = kind;
        this.hostName = hostName;
    }

    public Kind kind() {
        return kind;
    }

    public String hostName() {
        return hostName;
    }

    public boolean isTransient() {
        return kind == Kind.CONNECT || kind == Kind.CONNECTION_LOST || kind == Kind.TIMEOUT;
    }
}
