import RegistryClient
import Testing

/// Registry URLs are parsed once, strictly, with errors that name the value.
@Suite struct RegistryURLTests {
    @Test(arguments: [
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080", ""),
        ("https://Registry.Example.com/zmesh/", "https://registry.example.com:443/zmesh", "/zmesh"),
        ("http://[::1]:9000/a/b", "http://[::1]:9000/a/b", "/a/b"),
        ("http://registry", "http://registry:80", ""),
        ("https://10.0.0.1:8443/", "https://10.0.0.1:8443", ""),
    ])
    func parses(text: String, description: String, prefix: String) throws {
        let url = try RegistryURL(text)
        #expect(url.description == description)
        #expect(url.pathPrefix == prefix)
    }

    @Test(arguments: [
        "ftp://registry:21", "registry:8080", "http://", "http://:8080", "http://host:0", "http://host:65536",
        "http://host:8x", "http://host:8080?x=1", "http://host:8080#top", "http://user@host:8080", "http://[::1:8080",
        "http://[zz::1]:80", "http://-bad-.example:80", "http://300.1.1.1:80", "http://host/a b", "http://host//a",
        "http://host/a%20b",
    ])
    func refuses(text: String) {
        #expect {
            try RegistryURL(text)
        } throws: { error in
            guard case .invalidURL(let value, _) = error as? RegistryClientError else { return false }
            return value == text && "\(error)".contains(text)
        }
    }
}
