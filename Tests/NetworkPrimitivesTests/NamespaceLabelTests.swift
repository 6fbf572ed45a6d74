import Firewall
import RouteNL
import SystemSupport
import Testing

/// One wording for namespaces in every error, from SystemSupport. Needs no privileges: a missing
/// namespace and the test's own namespace only.
@Suite("How errors name a namespace")
struct NamespaceLabelTests {
    @Test func labels() {
        #expect(NetworkNamespace.label(nil) == "the calling thread's namespace")
        #expect(NetworkNamespace.label(.named("ndmz")) == "namespace ndmz")
        #expect(NetworkNamespace.label(NetworkNamespace(path: "/proc/1/ns/net")) == "namespace /proc/1/ns/net")
    }

    @Test func routeNLAndFirewallSayTheSame() throws {
        let missing = NetworkNamespace(path: "/nonexistent/zmesh-label-test")
        let route = #expect(throws: RouteNLError.self) { try RouteNetlink(namespace: missing) }
        let firewall = #expect(throws: FirewallError.self) { try NFTablesContext(namespace: missing) }
        #expect(route?.code == .unknownNamespace)
        #expect(firewall?.code == .unknownNamespace)
        #expect(route?.namespace == "namespace /nonexistent/zmesh-label-test")
        #expect(firewall?.namespace == route?.namespace)
        #expect(try RouteNetlink().namespaceDescription == NetworkNamespace.label(nil))
        #expect(try NFTablesContext().namespaceDescription == NetworkNamespace.label(nil))
    }
}
