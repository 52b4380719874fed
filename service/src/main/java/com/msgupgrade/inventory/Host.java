package com.msgupgrade.inventory;

import java.util.List;

/**
 * One Messaging Server host of a deployment.
 *
 * @param msgSvrBase the guide's msg-svr-base (e.g. /opt/SUNWmsgsr)
 * @param patchDir   where the patches or RPMs were downloaded (the guide: /tmp)
 * @param workDir    where the service keeps its detached runs on the host
 * @param proxyAdmin IMAP proxy admin of the webmail when it differs from the store's (null: same)
 * @param configureStateFile the state file {@code configure} reads on a Linux 6.1 reinstall
 * @param storeHostName the host name webmail servers reach this Message Store by, the guide's {@code hostname} in
 *                      the webmail proxy settings ({@code service.http.allowadminproxy.hostname}); null: the name
 */
public record Host(
        String name,
        String address,
        Integer sshPort,
        String sshUser,
        String os,
        String arch,
        String msgSvrBase,
        String sourceRelease,
        List<String> components,
        List<String> locales,
        String patchDir,
        String workDir,
        ProxyAdmin proxyAdmin,
        String configureStateFile,
        String storeHostName) {

    public static final String DEFAULT_PATCH_DIR = "/tmp";
    public static final String DEFAULT_WORK_DIR = "/var/tmp/msgsrv-upgrade";

    public Host {
        components = Deployment.entries(components, "host " + name + ": components");
        locales = Deployment.entries(locales, "host " + name + ": locales");
        sshPort = sshPort == null ? 22 : sshPort;
        sshUser = sshUser == null ? "root" : sshUser;
        patchDir = patchDir == null ? DEFAULT_PATCH_DIR : patchDir;
        workDir = workDir == null ? DEFAULT_WORK_DIR : workDir;
        configureStateFile = configureStateFile == null ? workDir + "/configure.state" : configureStateFile;
    }

    /** The same host, registered at another release. */
    public Host withSourceRelease(String release) {
        return new Host(name, address, sshPort, sshUser, os, arch, msgSvrBase, release, components, locales, patchDir,
                workDir, proxyAdmin, configureStateFile, storeHostName);
    }

    /** The host name webmail servers reach this Message Store by: {@code storeHostName}, or else the name. */
    public String storeHost() {
        return storeHostName == null ? name : storeHostName;
    }

    @com.fasterxml.jackson.annotation.JsonIgnore // not a field of the deployment: GET, edit and PUT it back
    public boolean isSolaris() {
        return "solaris".equals(os);
    }

    /** The machine the host is, as SSH reaches it: its address (in lower case) and port. */
    public String endpoint() {
        return address.toLowerCase(java.util.Locale.ROOT) + ":" + sshPort;
    }

    public boolean hasLocales() {
        return !locales.isEmpty();
    }

    /** The IMAP proxy account used by webmail, when it differs from the store's own admin. */
    public record ProxyAdmin(String user, String passwordSecret) {}
}
