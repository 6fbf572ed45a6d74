import Testing
import ZmeshJSON

@Suite struct JSONWriterTests {
    static let sample = JSONValue.object([
        JSONMember("name", .string("office")),
        JSONMember("port", .integer(51820)),
        JSONMember("empty_array", .array([])),
        JSONMember("empty_object", .object([])),
        JSONMember("scalars", .array([.integer(1), .string("a"), .bool(true), .null])),
        JSONMember(
            "nested",
            .array([
                .object([JSONMember("id", .string("n1")), JSONMember("peers", .array([.array([])]))]),
                .integer(-7),
            ])),
    ])

    /// The layout Deployments' `json()` and MeshPlanner's plan and spec JSON are written in; their
    /// documents and tests rely on it byte for byte.
    @Test func prettyLayout() {
        #expect(
            JSONWriter().write(Self.sample) == """
                {
                  "name": "office",
                  "port": 51820,
                  "empty_array": [],
                  "empty_object": {},
                  "scalars": [1, "a", true, null],
                  "nested": [
                    {
                      "id": "n1",
                      "peers": [
                        []
                      ]
                    },
                    -7
                  ]
                }

                """)
    }

    @Test func compactLayout() {
        #expect(
            JSONWriter(pretty: false).write(Self.sample)
                == #"{"name":"office","port":51820,"empty_array":[],"empty_object":{},"scalars":[1,"a",true,null],"#
                + #""nested":[{"id":"n1","peers":[[]]},-7]}"#)
        #expect(JSONWriter(pretty: false).write(.string("x")) == #""x""#)
        #expect(JSONWriter().write(.string("x")) == "\"x\"\n")
    }

    /// Only `"`, `\` and control characters are escaped, with the short forms where RFC 8259 has one.
    @Test func stringEscapes() {
        let text = "\"\\/\n\r\t\u{08}\u{0C}\u{00}\u{1F}\u{7F}é😀"
        #expect(JSONWriter(pretty: false).write(.string(text)) == #""\"\\/\n\r\t\b\f\u0000\u001f"# + "\u{7F}é😀\"")
    }

    @Test func integersOfAnyWidth() {
        #expect(JSONValue.integer(Int64.min) == .number("-9223372036854775808"))
        #expect(JSONValue.integer(UInt16(65535)) == .number("65535"))
        #expect(JSONValue.integer(0) == .number("0"))
    }

    @Test func sameValueSameBytesAndParsesBack() throws {
        for pretty in [true, false] {
            let text = JSONWriter(pretty: pretty).write(Self.sample)
            #expect(JSONWriter(pretty: pretty).write(Self.sample) == text)
            #expect(try JSONParser.parse(Array(text.utf8)) == Self.sample)
        }
    }
}
