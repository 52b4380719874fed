package com.msgupgrade.hostops;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SecretMaskTest {

    static final String SECRET = "s3cret-Directory-pw";

    @Test
    void everyOccurrenceOfTheSecretIsMasked() {
        assertThat(HostStepService.withoutSecret("bind as x with " + SECRET + ", then " + SECRET + "\n", SECRET))
                .isEqualTo("bind as x with ****, then ****\n");
    }

    /** Output kept up to its limit, cut in the middle of an echoed secret: the start that was kept is masked too. */
    @Test
    void theStartOfASecretCutAtTheEndOfTheOutputIsMasked() {
        assertThat(HostStepService.withoutSecret("line\npassword: s3cret-Direc", SECRET)).isEqualTo("line\npassword: ****");
        assertThat(HostStepService.withoutSecret("password: s3cr", SECRET)).isEqualTo("password: ****");
        // shorter than four characters: ordinary text
        assertThat(HostStepService.withoutSecret("size: s3c", SECRET)).isEqualTo("size: s3c");
        assertThat(HostStepService.withoutSecret("nothing of it here\n", SECRET)).isEqualTo("nothing of it here\n");
    }

    /** Cut inside a multi-byte character, the kept text ends with a replacement character after the secret's start. */
    @Test
    void theStartOfASecretCutInsideACharacterIsMaskedWithWhatTheCutLeft() {
        String secret = "Geheimnis\u20ac42";
        byte[] echoed = ("password: " + secret).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        String kept = new String(java.util.Arrays.copyOf(echoed, echoed.length - 3), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(kept).matches("password: Geheimnis\uFFFD+");
        assertThat(HostStepService.withoutSecret(kept, secret)).isEqualTo("password: ****");
        assertThat(HostStepService.withoutSecret("size \uFFFD", secret)).isEqualTo("size \uFFFD");
    }
}
