package io.dittofs.controlplane.api;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Login rate limiting that parallel guesses and a valid account cannot get around; tokens must expire. */
class ApiLoginTest extends LoggedInApiTest {
    private int login(String user, String pw) throws Exception {
        return h.call("POST", "/api/v1/auth/login", null, "{\"username\":\"" + user + "\",\"password\":\"" + pw + "\"}").status();
    }

    @Test
    @Timeout(120)
    void shouldCheckAtMostTheLimitWhenTwoHundredWrongGuessesArriveAtOnce() throws Exception {
        List<Future<Integer>> replies = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 200; i++) {
                int n = i;
                replies.add(pool.submit(() -> login("admin", "wrong-guess-" + n)));
            }
        }
        Map<Integer, Integer> byStatus = new TreeMap<>();
        for (Future<Integer> f : replies) {
            byStatus.merge(f.get(), 1, Integer::sum);
        }
        // the admin's own login in start() succeeded and gave its slot back; 10 are left for guesses
        int checked = byStatus.getOrDefault(401, 0);
        assertTrue(checked <= Endpoints.MAX_LOGINS_PER_CLIENT, "passwords checked: " + byStatus);
        assertEquals(200, checked + byStatus.getOrDefault(429, 0), byStatus.toString());
        assertEquals(429, login("admin", ApiHarness.ADMIN_PW), "even the right password now");
    }

    @Test
    void shouldKeepCountingFailuresWhenAnotherAccountLogsInFromTheSameAddress() throws Exception {
        assertEquals(201, h.call("POST", "/api/v1/users", admin,
                "{\"username\":\"mallory\",\"password\":\"mallory-password\"}").status());
        int refused = 0;
        for (int round = 0; round < 4; round++) {
            for (int i = 0; i < 4; i++) {
                refused += login("admin", "guess-" + round + "-" + i) == 429 ? 1 : 0;
            }
            int own = login("mallory", "mallory-password"); // the attacker's own valid account
            assertTrue(own == 200 || own == 429, "own login: " + own);
        }
        assertTrue(refused >= 16 - Endpoints.MAX_LOGINS_PER_CLIENT, "16 guesses, " + refused + " refused");
        assertEquals(429, login("admin", "one-more-guess"));
    }

    @Test
    void shouldLogFailedLoginUsernamesEscapedAndTruncated() throws Exception {
        Logger log = (Logger) LoggerFactory.getLogger(Endpoints.class);
        ListAppender<ILoggingEvent> seen = new ListAppender<>();
        seen.start();
        log.addAppender(seen);
        try {
            String forged = "evil\\nINFO user admin logged in from 10.0.0.1\\r\\u001b[31m" + "x".repeat(500);
            assertEquals(401, login(forged, "whatever-password"));
        } finally {
            log.detachAppender(seen);
        }
        List<String> lines = seen.list.stream().map(ILoggingEvent::getFormattedMessage)
                .filter(m -> m.contains("failed login")).toList();
        assertEquals(1, lines.size(), seen.list.toString());
        String line = lines.getFirst();
        assertFalse(line.chars().anyMatch(Character::isISOControl), line);
        assertFalse(line.contains("x".repeat(100)), "truncated: " + line);
    }

    @Test
    void shouldRefuseTokensWithoutAnExpiry() throws Exception {
        String hash = h.db.user("admin").orElseThrow().passwordHash();
        Algorithm alg = Algorithm.HMAC256(ApiHarness.SECRET);
        String withExp = JWT.create().withIssuer("dittofs").withSubject("admin").withClaim("typ", "access")
                .withClaim("pwf", Tokens.fingerprint(hash)).withIssuedAt(Instant.now())
                .withExpiresAt(Instant.now().plusSeconds(600)).sign(alg);
        assertEquals(200, h.call("GET", "/api/v1/users", withExp, null).status(), "the same token with exp is valid");
        String noExp = JWT.create().withIssuer("dittofs").withSubject("admin").withClaim("typ", "access")
                .withClaim("pwf", Tokens.fingerprint(hash)).withIssuedAt(Instant.now()).sign(alg);
        assertEquals(401, h.call("GET", "/api/v1/users", noExp, null).status(), "an access token that never expires");
        String refreshNoExp = JWT.create().withIssuer("dittofs").withSubject("admin").withClaim("typ", "refresh")
                .withClaim("pwf", Tokens.fingerprint(hash)).withIssuedAt(Instant.now()).sign(alg);
        assertEquals(401, h.call("POST", "/api/v1/auth/refresh", null, "{\"refresh_token\":\"" + refreshNoExp + "\"}").status(),
                "a refresh token that never expires");
    }
}
