import SystemSupport
import Testing
import ZmeshTestSupport

@Suite("The namespace fixture itself", .requiresNetworkPrivileges)
struct NamespaceFixtureTests {
    @Test func aNamespaceLeftBehindFailsTheTest() throws {
        var leaked: String?
        let error = #expect(throws: NamespaceFixture.Leak.self) {
            try NamespaceFixture.with { f in
                leaked = f.namespaceName("leak")
                try NetworkNamespace.create(named: f.namespaceName("leak"))  // no cleanup registered
            }
        }
        #expect(error?.problems.contains { $0.contains("still exists") } == true)
        if let leaked { try NetworkNamespace.delete(named: leaked) }
    }

    @Test func cleanupsRunLastInFirstOutEvenWhenTheTestThrows() throws {
        struct Boom: Error {}
        var order: [Int] = []
        #expect(throws: Boom.self) {
            try NamespaceFixture.with { f in
                try f.namespace("a")
                f.addCleanup("first") { order.append(1) }
                f.addCleanup("second") { order.append(2) }
                throw Boom()
            }
        }
        #expect(order == [2, 1])
    }

    @Test func aFailingCleanupIsReportedWithTheTestsOwnError() throws {
        struct Boom: Error {}
        let error = #expect(throws: NamespaceFixture.Leak.self) {
            try NamespaceFixture.with { f in
                f.addCleanup("broken cleanup") { throw Boom() }
                throw Boom()
            }
        }
        #expect(error?.testError is Boom)
        #expect(error?.problems.first?.hasPrefix("broken cleanup failed") == true)
    }
}
