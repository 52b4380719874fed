package com.msgupgrade.simulator;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.util.Iterator;

import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.keyprovider.FileKeyPairProvider;
import org.apache.sshd.common.util.security.SecurityUtils;

/** Ed25519 key pairs kept in OpenSSH files (private key unencrypted, 0600, and {@code .pub}). */
final class SshKeys {

    private SshKeys() {
    }

    /** Loads the key pair from {@code file}, generating and writing it first when missing. */
    static KeyPair loadOrGenerate(Path file, String comment) {
        try {
            if (!Files.exists(file)) {
                write(generate(), file, comment);
            }
            return load(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or write key " + file, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate an ed25519 key", e);
        }
    }

    /** {@code ssh-ed25519 AAAA...} */
    static String publicKeyLine(PublicKey key) {
        return PublicKeyEntry.toString(key);
    }

    private static KeyPair generate() throws GeneralSecurityException {
        KeyPairGenerator generator = SecurityUtils.getKeyPairGenerator(SecurityUtils.EDDSA);
        generator.initialize(256);
        return generator.generateKeyPair();
    }

    private static void write(KeyPair keyPair, Path file, String comment) throws IOException, GeneralSecurityException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (OutputStream out = Files.newOutputStream(tmp)) {
            OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(keyPair, comment, null, out);
        }
        Files.writeString(file.resolveSibling(file.getFileName() + ".pub"),
                publicKeyLine(keyPair.getPublic()) + " " + comment + "\n");
        Files.move(tmp, file);
    }

    private static KeyPair load(Path file) throws IOException {
        FileKeyPairProvider provider = new FileKeyPairProvider(file);
        try {
            Iterator<KeyPair> keys = provider.loadKeys(null).iterator();
            if (!keys.hasNext()) {
                throw new IOException("no key in " + file);
            }
            return keys.next();
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("cannot load key " + file, e);
        }
    }
}
