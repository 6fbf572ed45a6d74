import RegistryClient
import Testing

/// IMF-fixdate parsing for the registry's `Date` header.
@Suite struct HTTPDateTests {
    @Test(arguments: [
        ("Thu, 01 Jan 1970 00:00:00 GMT", Int64(0)),
        ("Sun, 06 Nov 1994 08:49:37 GMT", 784_111_777),
        ("Tue, 29 Feb 2000 12:00:00 GMT", 951_825_600),
        ("Fri, 27 Nov 2026 12:14:34 GMT", 1_795_781_674),
    ])
    func parses(text: String, seconds: Int64) {
        #expect(HTTPDate.unixSeconds(text) == seconds)
    }

    @Test(arguments: [
        "", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994", "Sun, 06 Nov 1994 08:49:37 UTC",
        "Sun, 6 Nov 1994 08:49:37 GMT", "Sun, 06 Foo 1994 08:49:37 GMT", "Sun, 06 Nov 1994 24:00:00 GMT",
        "Sun, 32 Nov 1994 08:49:37 GMT",
    ])
    func refuses(text: String) {
        #expect(HTTPDate.unixSeconds(text) == nil)
    }
}
