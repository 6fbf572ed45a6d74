import RouteNL
import SystemSupport
import Testing
import ZmeshModel
import ZmeshTestSupport

#if canImport(Glibc)
import Glibc
#endif

@Suite("Typed errors and cleanup after failures", .requiresNetworkPrivileges)
struct RouteNLErrorTests {
    @Test(arguments: ["sixteen-bytes-xx", "a-name-that-is-far-too-long", "has space", "a/b", ""])
    func namesTheKernelWouldRefuseNeverReachIt(_ name: String) {
        // The API takes InterfaceName, so the refusal happens while parsing, before any request.
        let error = #expect(throws: ParseError.self) { try InterfaceName(name) }
        #expect(error?.value == name)
    }

    @Test func existingNameIsExistsNamingTheLinkAndNamespace() throws {
        try NamespaceFixture.with { f in
            let rt = try RouteNetlink(namespace: try f.namespace("a"))
            let br = try f.linkName("br")
            try rt.createBridge(br)
            let error = #expect(throws: RouteNLError.self) { try rt.createBridge(br) }
            #expect(error?.code == .exists)
            #expect(error?.operation == "create bridge")
            #expect(error?.object == "link \(br)")
            #expect(error?.namespace == "namespace \(f.namespaceName("a"))")
            #expect(error?.description.hasPrefix("create bridge link \(br) in namespace \(f.namespaceName("a")): ") == true)
        }
    }

    @Test func vethPeerNameTakenInThePeerNamespaceIsExistsAndNothingIsLeft() throws {
        try NamespaceFixture.with { f in
            let a = try f.namespace("a")
            let b = try f.namespace("b")
            let peer = try f.linkName("p")
            try RouteNetlink(namespace: b).createBridge(peer)
            let error = #expect(throws: RouteNLError.self) {
                try RouteNetlink(namespace: a).createVeth(try f.linkName("v"), peer: peer, peerNamespace: b)
            }
            #expect(error?.code == .exists)
            #expect(try IPRouteOracle.links(in: f.namespaceName("a")).map(\.ifname) == ["lo"])
        }
    }

    @Test(arguments: ["setUp", "setDown", "setMTU", "delete", "show", "enslave"])
    func missingLinkIsNoSuchDevice(_ operation: String) throws {
        try NamespaceFixture.with { f in
            let rt = try RouteNetlink(namespace: try f.namespace("a"))
            let missing = try f.linkName("none")
            let error = #expect(throws: RouteNLError.self) {
                switch operation {
                case "setUp": try rt.setUp(missing)
                case "setDown": try rt.setDown(missing)
                case "setMTU": try rt.setMTU(missing, 1400)
                case "delete": try rt.deleteLink(missing)
                case "show": _ = try rt.link(named: missing)
                default: try rt.setMaster(missing, to: missing)
                }
            }
            #expect(error?.code == .noSuchDevice)
            #expect(error?.object == "link \(missing)")
            #expect(error?.namespace == "namespace \(f.namespaceName("a"))")
        }
    }

    @Test func unknownNamespaceIsReportedWhenConnecting() throws {
        let name = "zt-\(ScratchNamespace.randomSuffix())-none"
        let error = #expect(throws: RouteNLError.self) { try RouteNetlink(namespace: .named(name)) }
        #expect(error?.code == .unknownNamespace)
        #expect(error?.namespace == "namespace \(name)")
        let events = #expect(throws: RouteNLError.self) { try NetworkEventMonitor(namespace: .named(name)) }
        #expect(events?.code == .unknownNamespace)
    }

    @Test func vethPeerInAnUnknownNamespaceCreatesNothing() throws {
        try NamespaceFixture.with { f in
            let rt = try RouteNetlink(namespace: try f.namespace("a"))
            let error = #expect(throws: RouteNLError.self) {
                try rt.createVeth(try f.linkName("v"), peer: try f.linkName("p"), peerNamespace: .named(f.namespaceName("none")))
            }
            #expect(error?.code == .unknownNamespace)
            #expect(try IPRouteOracle.links(in: f.namespaceName("a")).map(\.ifname) == ["lo"])
        }
    }

    @Test func withoutCapabilitiesChangesArePermissionDenied() throws {
        try NamespaceFixture.with { f in
            let ns = try f.namespace("a")
            let br = try f.linkName("br")
            // A thread inside `a` that has dropped every capability, as a non-root process would be.
            let (created, listed) = try UnprivilegedThread.run(in: ns) { () throws -> (Result<Link, RouteNLError>, [String]) in
                let rt = try RouteNetlink()
                return (Result { () throws(RouteNLError) -> Link in try rt.createBridge(br) }, try rt.links().map(\.name))
            }
            guard case .failure(let error) = created else {
                Issue.record("an unprivileged thread created \(br)")
                return
            }
            #expect(error.code == .permissionDenied)
            #expect(error.object == "link \(br)")
            // Reading needs no privilege.
            #expect(listed == ["lo"])
            #expect(try IPRouteOracle.link(br.rawValue, in: f.namespaceName("a")) == nil)
        }
    }

    @Test func aFailedStepAfterCreationDeletesWhatWasCreated() throws {
        try NamespaceFixture.with { f in
            let rt = try RouteNetlink(namespace: try f.namespace("a"))
            let v = try f.linkName("v")
            // Loopback does not take ports: the veth is made, enslaving fails, the veth goes again.
            let error = #expect(throws: RouteNLError.self) {
                try rt.createVeth(v, peer: try f.linkName("p"), master: try InterfaceName("lo"), up: true)
            }
            #expect(error?.code == .notSupported || error?.code == .invalidArgument, "\(String(describing: error))")
            #expect(error?.operation == "create veth")
            #expect(error?.reason.contains("deleted again") == true)
            #expect(try IPRouteOracle.links(in: f.namespaceName("a")).map(\.ifname) == ["lo"])

            let br = try f.linkName("br")
            let bridge = #expect(throws: RouteNLError.self) {
                try rt.createLink(br, kind: .bridge, master: try InterfaceName("lo"))
            }
            #expect(bridge != nil)
            #expect(try IPRouteOracle.link(br.rawValue, in: f.namespaceName("a")) == nil)
        }
    }
}
