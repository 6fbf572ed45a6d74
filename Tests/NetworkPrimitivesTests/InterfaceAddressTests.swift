import RouteNL
import Testing
import ZmeshModel

/// `ADDRESS/LENGTH` parsing of interface addresses: IPPrefix's rules and wording, host bits kept.
/// Pure: no privileges needed.
@Suite("Interface address text")
struct InterfaceAddressTests {
    @Test(arguments: [
        ("10.1.1.1/24", "10.1.1.1/24"), (" 10.1.1.1/24\n", "10.1.1.1/24"), ("\t172.16.5.9/32 ", "172.16.5.9/32"),
        ("10.0.0.1", "10.0.0.1/32"), ("10.0.0.1/0", "10.0.0.1/0"), ("fd00:1:2:3::1/64", "fd00:1:2:3::1/64"),
        ("fd00::1", "fd00::1/128"), (" fd00::7/128 ", "fd00::7/128"), ("10.0.0.1/008", "10.0.0.1/8"),
    ])
    func acceptedKeepingHostBits(text: String, expected: String) throws {
        let address = try InterfaceAddress(text)
        #expect(address.description == expected)
        #expect(address.subnet == (try IPPrefix(text)))
    }

    struct Bad: Sendable, CustomTestStringConvertible {
        let text: String
        /// What the error's reason says (the same words as ``IPPrefix``'s).
        let reason: String
        var testDescription: String { "'\(text)'" }
    }

    static let bad: [Bad] = [
        Bad(text: "10.0.0.1/33", reason: "length 33 is out of range 0–32"),
        Bad(text: "10.0.0.1/999", reason: "length 999 is out of range 0–32"),
        Bad(text: "fd00::1/129", reason: "length 129 is out of range 0–128"),
        Bad(text: " fd00::1/200 ", reason: "length 200 is out of range 0–128"),
        Bad(text: "10.0.0.1/x", reason: "length 'x' is not a number"),
        Bad(text: "10.0.0.1/", reason: "length '' is not a number"),
        Bad(text: "10.0.0.1/-1", reason: "length '-1' is not a number"),
        Bad(text: "10.0.0.1/+8", reason: "length '+8' is not a number"),
        Bad(text: "10.0.0.1/ 24", reason: "length ' 24' is not a number"),
        Bad(text: "10.0.0.1/24/8", reason: "length '24/8' is not a number"),
        Bad(text: "10.0.0.1/1000", reason: "length '1000' is not a number"),
        // Digits, but not ASCII ones: Arabic-Indic 2 4, fullwidth 2 4, superscript 2.
        Bad(text: "10.0.0.1/\u{662}\u{664}", reason: "length '\u{662}\u{664}' is not a number"),
        Bad(text: "10.0.0.1/\u{FF12}\u{FF14}", reason: "length '\u{FF12}\u{FF14}' is not a number"),
        Bad(text: "10.0.0.1/\u{B2}", reason: "length '\u{B2}' is not a number"),
    ]

    @Test(arguments: bad)
    func badLengthsRefusedInIPPrefixWords(_ bad: Bad) {
        let error = #expect(throws: ParseError.self) { try InterfaceAddress(bad.text) }
        #expect(error?.kind == "interface address")
        #expect(error?.reason == bad.reason)
        #expect(error?.value == String(bad.text.trimmingWhitespace()))
        // IPPrefix says the same about the same text.
        let prefixError = #expect(throws: ParseError.self) { try IPPrefix(bad.text) }
        #expect(prefixError?.reason == bad.reason)
    }

    @Test(arguments: ["nope/24", "/24", "", "   ", "10.0.0/24", "10.0.0.256/24", "fd00::g/64", "10.0.0.1 /24"])
    func badAddressesRefusedNamingTheInput(_ text: String) {
        let error = #expect(throws: ParseError.self) { try InterfaceAddress(text) }
        #expect(error?.kind == "interface address")
        #expect(error?.description.contains(String(text.trimmingWhitespace())) == true)
    }

    @Test func lengthOutOfRangeFromValues() throws {
        let error = #expect(throws: ParseError.self) { try InterfaceAddress(try IPAddress("10.0.0.1"), prefixLength: 40) }
        #expect(error?.reason == "length 40 is out of range 0–32")
        #expect(error?.value == "10.0.0.1/40")
        #expect(throws: ParseError.self) { try InterfaceAddress(try IPAddress("fd00::1"), prefixLength: -1) }
    }
}

extension String {
    fileprivate func trimmingWhitespace() -> Substring {
        guard let first = firstIndex(where: { !$0.isWhitespace }), let last = lastIndex(where: { !$0.isWhitespace }) else {
            return self[startIndex..<startIndex]
        }
        return self[first...last]
    }
}
