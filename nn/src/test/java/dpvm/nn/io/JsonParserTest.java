package dpvm.nn.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonParserTest {

    private static Object parse(String s) {
        return JsonParser.parse(s, 8, 100);
    }

    private static void fails(String s, String expected) {
        JsonParser.JsonException e = assertThrows(JsonParser.JsonException.class, () -> parse(s));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void parsesValuesKeepingKeyOrder() {
        Object v = parse(" {\"b\": [1, -2, 3.5, 1e2], \"a\": {\"t\": true, \"f\": false, \"n\": null}, \"s\": \"x\\u00e9\\n\\ud83d\\ude00\"} ");
        Map<?, ?> m = (Map<?, ?>) v;
        assertEquals(List.of("b", "a", "s"), List.copyOf(m.keySet()));
        assertEquals(List.of(1L, -2L, 3.5, 100.0), m.get("b"));
        Map<?, ?> a = (Map<?, ?>) m.get("a");
        assertEquals(Boolean.TRUE, a.get("t"));
        assertEquals(Boolean.FALSE, a.get("f"));
        assertTrue(a.containsKey("n"));
        assertNull(a.get("n"));
        assertEquals("x\u00e9\n\ud83d\ude00", m.get("s"));
        assertEquals(new BigInteger("99999999999999999999"), parse("99999999999999999999"));
        assertEquals(Long.MIN_VALUE, parse("-9223372036854775808"));
    }

    @Test
    void rejectsWhatRfc8259Rejects() {
        fails("{\"a\":1,}", "expected a string key");
        fails("[1,]", "unexpected character ']'");
        fails("01", "unexpected content");
        fails("1.", "digit expected after decimal point");
        fails("{'a':1}", "expected a string key");
        fails("\"a\\x\"", "invalid escape");
        fails("\"\\ud800\"", "lone high surrogate");
        fails("\"\\udc00\"", "lone low surrogate");
        fails("\"abc", "unexpected end");
        fails("{\"a\" 1}", "expected ':'");
        fails("tru", "invalid literal");
        fails("{} {}", "unexpected content");
        fails("", "unexpected end");
    }

    @Test
    void enforcesLimits() {
        fails("[".repeat(9) + "]".repeat(9), "nesting deeper than 8");
        parse("[".repeat(8) + "]".repeat(8));
        fails("\"" + "x".repeat(200) + "\"", "string longer than 100");
        fails("{\"k\":1,\"k\":2}", "duplicate key \"k\"");
    }
}
