import Testing
import ZmeshJSON

@Suite struct JSONParserTests {
    struct Bad: Sendable, CustomStringConvertible {
        let json: String
        let error: String
        var description: String { json }
    }

    @Test(arguments: [
        Bad(json: #"{"a":1,"a":2}"#, error: #"line 1, column 8: duplicate member name "a""#),
        Bad(json: #"{"a":1,}"#, error: "line 1, column 8: expected a member name in double quotes, found '}'"),
        Bad(json: "[1,2,]", error: "line 1, column 6: expected a value, found ']'"),
        Bad(json: "[01]", error: "line 1, column 2: numbers may not have leading zeros"),
        Bad(json: "[1.]", error: "line 1, column 4: expected a digit after '.', found ']'"),
        Bad(json: "[-]", error: "line 1, column 3: expected a digit, found ']'"),
        Bad(json: "[1e]", error: "line 1, column 4: expected a digit in the exponent, found ']'"),
        Bad(json: "[NaN]", error: "line 1, column 2: expected a value, found 'N'"),
        Bad(json: "[tru]", error: "line 1, column 2: expected a value"),
        Bad(json: "// comment\n{}", error: "line 1, column 1: expected a value, found '/'"),
        Bad(json: "{}\n{}", error: "line 2, column 1: unexpected text after the document"),
        Bad(json: "\"abc", error: "line 1, column 1: unterminated string"),
        Bad(json: "\"a\tb\"", error: "line 1, column 3: control character 0x9 in a string must be escaped"),
        Bad(json: #""\x""#, error: #"line 1, column 2: invalid escape '\x'"#),
        Bad(json: #""\ud800""#, error: #"line 1, column 2: lone high surrogate in a \u escape"#),
        Bad(json: #""\udc00""#, error: #"line 1, column 2: lone low surrogate in a \u escape"#),
        Bad(json: #""\ud800\u0041""#, error: "line 1, column 2: high surrogate not followed by a low surrogate"),
        Bad(json: #""\u12g4""#, error: #"line 1, column 6: expected four hex digits after \u"#),
        Bad(json: "", error: "line 1, column 1: expected a value, found the end of the document"),
        Bad(json: "{\n  \"a\" 1}", error: "line 2, column 7: expected ':', found '1'"),
        Bad(json: "\u{FEFF}{}", error: "line 1, column 1: expected a value, found byte 0xef"),
        Bad(json: #""\udc00\ud800""#, error: #"line 1, column 2: lone low surrogate in a \u escape"#),
        Bad(json: "[-01]", error: "line 1, column 2: numbers may not have leading zeros"),
        Bad(json: "[.5]", error: "line 1, column 2: expected a value, found '.'"),
        Bad(json: "[+1]", error: "line 1, column 2: expected a value, found '+'"),
        Bad(json: "[Infinity]", error: "line 1, column 2: expected a value, found 'I'"),
        Bad(json: "{'a': 1}", error: "line 1, column 2: expected a member name in double quotes, found '''"),
        Bad(json: "truex", error: "line 1, column 5: unexpected text after the document"),
    ])
    func malformedJSONIsRefused(_ bad: Bad) {
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(Array(bad.json.utf8)) }
        do {
            _ = try JSONParser.parse(Array(bad.json.utf8))
        } catch {
            #expect(error.description == bad.error)
        }
    }

    @Test(arguments: [
        [0x22, 0xc3, 0x28, 0x22],  // a lead byte without its continuation
        [0x22, 0xed, 0xa0, 0x80, 0x22],  // a UTF-8-encoded surrogate
        [0x22, 0xc0, 0xaf, 0x22],  // an overlong encoding of '/'
        [0x22, 0xff, 0x22],  // never valid
    ] as [[UInt8]])
    func invalidUTF8IsRefused(_ bytes: [UInt8]) {
        #expect(throws: JSONSyntaxError(line: 1, column: 1, message: "string is not valid UTF-8")) {
            try JSONParser.parse(bytes)
        }
    }

    /// Numbers keep their text: a reader that wants an exact integer can tell `1` from `1.0` and `1e0`.
    @Test func numbersKeepTheirText() throws {
        let value = try JSONParser.parse(Array("[1, 1.0, 1e0, -0, 18446744073709551616]".utf8))
        #expect(value == .array(["1", "1.0", "1e0", "-0", "18446744073709551616"].map(JSONValue.number)))
    }

    /// Columns count bytes: after "é" (two bytes), the 'x' is at column 8 of line 2 (its 7th character).
    @Test func columnsCountBytes() {
        #expect(throws: JSONSyntaxError(line: 2, column: 8, message: "expected a value, found 'x'")) {
            try JSONParser.parse(Array("[1,\n \"é\", x]".utf8))
        }
    }

    @Test func nestingIsBounded() throws {
        #expect(JSONParser.maximumDepth == 64)
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(Array(deep.utf8)) }
        let fine = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        _ = try JSONParser.parse(Array(fine.utf8))
    }

    @Test func valuesAndEscapes() throws {
        let value = try JSONParser.parse(
            Array(
                #" {"s": "a\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00é", "n": [-0, 12.5e-3, 7], "b": [true, false, null], "e": {}} "#
                    .utf8))
        #expect(
            value
                == .object([
                    JSONMember("s", .string("a\"\\/\u{08}\u{0C}\n\r\té😀é")),
                    JSONMember("n", .array([.number("-0"), .number("12.5e-3"), .number("7")])),
                    JSONMember("b", .array([.bool(true), .bool(false), .null])),
                    JSONMember("e", .object([])),
                ]))
    }

    @Test func writerOutputParsesBackToTheSameValue() throws {
        let value = JSONValue.object([
            JSONMember("text", .string("quote \" backslash \\ newline \n nul \u{0} bell \u{07} é 😀")),
            JSONMember("list", .array([.number("1"), .array([]), .object([])])),
        ])
        for pretty in [true, false] {
            let text = JSONWriter(pretty: pretty).write(value)
            #expect(try JSONParser.parse(Array(text.utf8)) == value)
        }
        #expect(
            JSONWriter(pretty: false).write(value)
                == #"{"text":"quote \" backslash \\ newline \n nul \u0000 bell \u0007 é 😀","list":[1,[],{}]}"#)
    }
}
