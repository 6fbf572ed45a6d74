import Testing
import ZmeshModel

@Suite("Addresses, prefixes, endpoints and interface names")
struct AddressingTests {
    @Test(arguments: [
        ("0.0.0.0", "0.0.0.0"), ("255.255.255.255", "255.255.255.255"), ("10.1.2.3", "10.1.2.3"),
    ])
    func ipv4RoundTrip(text: String, expected: String) throws {
        #expect(try IPv4Address(text).description == expected)
    }

    @Test(arguments: ["", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.-4", "a.b.c.d", "1..2.3", " 1.2.3.4"])
    func ipv4Refused(text: String) {
        #expect(throws: ParseError.self) { try IPv4Address(text) }
    }

    /// Expected strings are what glibc's inet_ntop prints (wireguard-tools' output).
    @Test(arguments: [
        ("::", "::"), ("::1", "::1"), ("1::", "1::"), ("fd00::1", "fd00::1"),
        ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"), ("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
        ("1:0:0:2:0:0:0:3", "1:0:0:2::3"), ("1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"), ("1:0:2:3:4:5:6:7", "1:0:2:3:4:5:6:7"),
        ("::ffff:1.2.3.4", "::ffff:1.2.3.4"), ("::1.2.3.4", "::1.2.3.4"), ("FE80::ABCD", "fe80::abcd"),
        ("0:0:0:0:0:0:0:2", "::2"), ("1:2:3:4:5:6:0:0", "1:2:3:4:5:6::"),
    ])
    func ipv6Formatting(text: String, expected: String) throws {
        #expect(try IPv6Address(text).description == expected)
    }

    @Test(arguments: ["", ":", ":::", "1::2::3", "1:2:3:4:5:6:7:8:9", "12345::", "g::1", "1:2:3:4:5:6:7", "::1.2.3"])
    func ipv6Refused(text: String) {
        #expect(throws: ParseError.self) { try IPv6Address(text) }
    }

    @Test func ipv6BytesRoundTrip() throws {
        let a = try IPv6Address("2001:db8:1:2:3:4:5:6")
        #expect(a.bytes == [0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6])
        #expect(IPv6Address(bytes: a.bytes) == a)
    }

    @Test(arguments: [
        ("10.1.2.3/8", "10.0.0.0/8"), ("10.1.2.3", "10.1.2.3/32"), ("0.0.0.0/0", "0.0.0.0/0"),
        ("fd00::1/64", "fd00::/64"), ("fd00::1", "fd00::1/128"), ("2001:db8:ffff::/33", "2001:db8:8000::/33"),
        ("::/0", "::/0"), (" 10.0.0.0/24 ", "10.0.0.0/24"),
    ])
    func prefixClearsHostBits(text: String, expected: String) throws {
        #expect(try IPPrefix(text).description == expected)
    }

    @Test(arguments: ["10.0.0.0/33", "fd00::/129", "10.0.0.0/", "10.0.0.0/x", "10.0.0.0/-1", "/24", "host/24"])
    func prefixRefusedNamingTheValue(text: String) {
        do {
            _ = try IPPrefix(text)
            Issue.record("accepted \(text)")
        } catch {
            #expect(error.description.contains(text))
        }
    }

    @Test func prefixContainmentAndOverlap() throws {
        let p = try IPPrefix("10.1.0.0/16")
        #expect(p.contains(try IPAddress("10.1.255.3")))
        #expect(!p.contains(try IPAddress("10.2.0.1")))
        #expect(!p.contains(try IPAddress("fd00::1")))
        #expect(p.overlaps(try IPPrefix("10.0.0.0/8")))
        #expect(p.overlaps(try IPPrefix("10.1.2.0/24")))
        #expect(!p.overlaps(try IPPrefix("10.2.0.0/16")))
    }

    @Test(arguments: [
        ("192.0.2.1:51820", "192.0.2.1:51820"), ("[2001:db8::1]:1", "[2001:db8::1]:1"),
        ("[fe80::1%7]:65535", "[fe80::1%7]:65535"), ("[::ffff:1.2.3.4]:9", "[::ffff:1.2.3.4]:9"),
    ])
    func endpointRoundTrip(text: String, expected: String) throws {
        #expect(try Endpoint(text).description == expected)
    }

    @Test(arguments: [
        "192.0.2.1", "192.0.2.1:0", "192.0.2.1:65536", "2001:db8::1:51820", "[2001:db8::1]", "[2001:db8::1]51820",
        "example.com:51820", "[192.0.2.1]:1", "[fe80::1%eth0]:1", "",
    ])
    func endpointRefused(text: String) {
        #expect(throws: ParseError.self) { try Endpoint(text) }
    }

    @Test(arguments: ["wg0", "w-abcdefghijklm", "eth0.100", "a"])
    func interfaceNameAccepted(text: String) throws {
        #expect(try InterfaceName(text).rawValue == text)
    }

    @Test(arguments: ["", "wg-0123456789abc", "a/b", "a b", ".", "..", "wg:0", "tab\t"])
    func interfaceNameRefused(text: String) {
        do {
            _ = try InterfaceName(text)
            Issue.record("accepted '\(text)'")
        } catch {
            #expect(error.description.contains("'\(text)'"))
        }
    }
}
