package io.dittofs.protocols.smb.handler;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WildcardTest {
    @Test
    void shouldMatchStarsAndQuestionMarksIgnoringCase() {
        assertTrue(Wildcard.matches("*", "anything"));
        assertTrue(Wildcard.matches("*.txt", "Notes.TXT"));
        assertTrue(Wildcard.matches("a?c", "abc"));
        assertFalse(Wildcard.matches("a?c", "abbc"));
        assertTrue(Wildcard.matches("exact.bin", "EXACT.bin"));
        assertFalse(Wildcard.matches("exact.bin", "exact.bin2"));
        assertTrue(Wildcard.matches("*a*b*c*", "xxaxxbxxcxx"));
    }

    @Test
    void shouldTreatDosWildcardsAsPlainOnes() {
        assertTrue(Wildcard.matches("<.txt", "a.txt"));
        assertTrue(Wildcard.matches("a>c", "abc"));
        assertTrue(Wildcard.matches("a\"txt", "a.txt"));
    }

    @Test
    void shouldStayLinearOnPathologicalPatterns() {
        String name = "a".repeat(5000);
        assertFalse(Wildcard.matches("*a*a*a*a*a*a*a*a*a*b", name));
    }
}
