package com.msgupgrade.ssh;

/** Opens SSH sessions to hosts. The only way the service reaches a host. */
public interface RemoteShell {

    /** Connects and verifies the host key; throws {@link RemoteShellException} when it cannot. */
    RemoteSession open(HostEndpoint endpoint);

    /** One authenticated SSH connection; several commands may run over it, one after another. */
    interface RemoteSession extends AutoCloseable {

        /** Runs a command, feeding {@code stdin} (may be null); waits at most the configured command timeout. */
        CommandResult exec(String command, byte[] stdin);

        @Override
        void close();
    }
}
