package io.dittofs.protocols.smb.auth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Interop with Samba's own SPNEGO/NTLMSSP client (the code smbclient runs), driven through
 * {@code ntlm_auth --helper-protocol=gss-spnego-client|ntlmssp-client-1} (Debian package
 * {@code winbind}, installed by e2e/install-prereqs.sh): Samba must accept the server's final
 * token and derive the same session key ("GK"). ntlm_auth asks for no signing, so its
 * AUTHENTICATE carries no MIC; the MIC path is pinned by the Windows vectors of
 * {@link NtlmVectorsTest} and exercised live by smbclient in the e2e tests.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NtlmSambaInteropTest {
    private static final Path NTLM_AUTH = Path.of("/usr/bin/ntlm_auth");

    private final NtAccounts accounts = (user, domain) -> user.equalsIgnoreCase("alice")
            ? Optional.of(new NtAccount("alice", NtlmCrypto.ntHash("s3cret-Pw"), true)) : Optional.empty();

    @Test
    void shouldAuthenticateSambaSpnegoClientAndAgreeOnSessionKey() throws Exception {
        try (Helper samba = new Helper("gss-spnego-client", "s3cret-Pw")) {
            NtlmServer server = new NtlmServer(accounts, new SecureRandom(), "dittofs", "WORKGROUP", false, false);
            AuthStep.Continue challenge = assertInstanceOf(AuthStep.Continue.class, server.accept(samba.ask("YR", "YR")));
            byte[] authenticate = samba.ask("TT " + b64(challenge.token()), "KK");
            AuthStep step = server.accept(authenticate);
            AuthStep.Done done = assertInstanceOf(AuthStep.Done.class, step, step.toString());
            assertEquals("AF", samba.line("TT " + b64(done.token())).trim(), "Samba rejected the final token");
            assertArrayEquals(samba.ask("GK", "GK"), done.sessionKey());
        }
    }

    @Test
    void shouldAuthenticateSambaRawNtlmsspClientAndAgreeOnSessionKey() throws Exception {
        try (Helper samba = new Helper("ntlmssp-client-1", "s3cret-Pw")) {
            NtlmServer server = new NtlmServer(accounts, new SecureRandom(), "dittofs", "WORKGROUP", false, false);
            AuthStep.Continue challenge = assertInstanceOf(AuthStep.Continue.class, server.accept(samba.ask("YR", "YR")));
            AuthStep step = server.accept(samba.ask("TT " + b64(challenge.token()), "AF"));
            AuthStep.Done done = assertInstanceOf(AuthStep.Done.class, step, step.toString());
            assertArrayEquals(samba.ask("GK", "GK"), done.sessionKey());
        }
    }

    @Test
    void shouldRejectSambaClientWithWrongPassword() throws Exception {
        try (Helper samba = new Helper("gss-spnego-client", "not-the-password")) {
            NtlmServer server = new NtlmServer(accounts, new SecureRandom(), "dittofs", "WORKGROUP", false, false);
            AuthStep.Continue challenge = (AuthStep.Continue) server.accept(samba.ask("YR", "YR"));
            AuthStep step = server.accept(samba.ask("TT " + b64(challenge.token()), "KK"));
            assertEquals(NtlmServer.STATUS_LOGON_FAILURE, assertInstanceOf(AuthStep.Failed.class, step).ntStatus());
        }
    }

    private static String b64(byte[] b) {
        return Base64.getEncoder().encodeToString(b);
    }

    /** One ntlm_auth helper process speaking the squid helper protocol on stdin/stdout. */
    private static final class Helper implements AutoCloseable {
        private final Process process;
        private final BufferedReader in;
        private final PrintStream out;

        Helper(String protocol, String password) throws IOException {
            if (!Files.isExecutable(NTLM_AUTH)) {
                fail("ntlm_auth is missing: install the Debian package 'winbind' (bash e2e/install-prereqs.sh)");
            }
            process = new ProcessBuilder(NTLM_AUTH.toString(), "--helper-protocol=" + protocol,
                    "--username=alice", "--domain=WORKGROUP", "--password=" + password)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII));
            out = new PrintStream(process.getOutputStream(), true, StandardCharsets.US_ASCII);
        }

        String line(String request) throws IOException {
            out.println(request);
            String reply = in.readLine();
            if (reply == null) {
                fail("ntlm_auth closed its output after " + request.substring(0, 2));
            }
            return reply;
        }

        /** Sends {@code request}, expects a reply starting with {@code code}, returns its base64 payload. */
        byte[] ask(String request, String code) throws IOException {
            String reply = line(request);
            if (!reply.startsWith(code + " ")) {
                fail("ntlm_auth answered '" + reply + "' where " + code + " was expected");
            }
            return Base64.getDecoder().decode(reply.substring(code.length() + 1).trim());
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }
}
