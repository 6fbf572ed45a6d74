import RouteNL
import SystemSupport
import Testing
import ZmeshModel
import ZmeshTestSupport

/// `RouteNetlink.createMacvlan`: a macvlan on a parent of one namespace, living in another.
@Suite("Macvlan links over libnl-route-3, checked against ip -d -j link", .requiresNetworkPrivileges)
struct MacvlanTests {
    /// `a` holds the parent (a veth whose peer is in `c`); the macvlan is created from `a` straight
    /// into `b`. `c` reaches the macvlan's address over the parent: the link really is on it.
    @Test(arguments: [MacvlanMode.bridge, .private])
    func createdInAnotherNamespaceOnAParentHere(mode: MacvlanMode) throws {
        try NamespaceFixture.with { f in
            let a = try f.namespace("a")
            let b = try f.namespace("b")
            let c = try f.namespace("c")
            let parent = try f.linkName("p")
            let far = try f.linkName("q")
            let mac = try f.linkName("m")
            let rtA = try RouteNetlink(namespace: a)
            try rtA.createVeth(parent, peer: far, peerNamespace: c, up: true)
            let made = try rtA.createMacvlan(mac, parent: parent, mode: mode, namespace: b, mtu: 1400)
            #expect(made.name == mac.rawValue)
            #expect(made.kind == .macvlan)
            #expect(!made.isUp)

            let inA = try IPRouteOracle.links(in: f.namespaceName("a")).map(\.ifname).sorted()
            #expect(inA == ["lo", parent.rawValue].sorted())
            let oracle = try #require(try IPRouteOracle.link(mac.rawValue, in: f.namespaceName("b")))
            #expect(oracle.kind == "macvlan")
            #expect(oracle.mtu == 1400)
            #expect(made.index == Int32(oracle.ifindex))
            let details = try ShellCommand.run(["ip", "-n", f.namespaceName("b"), "-d", "-j", "link", "show", mac.rawValue])
            #expect(details.contains("\"mode\":\"\(mode.rawValue)\""), "\(details)")

            let rtB = try RouteNetlink(namespace: b)
            let rtC = try RouteNetlink(namespace: c)
            try rtB.addAddress(try InterfaceAddress("192.0.2.2/24"), to: mac)
            try rtB.setUp(mac)
            try rtC.addAddress(try InterfaceAddress("192.0.2.1/24"), to: far)
            try rtC.setUp(far)
            let listener = try TCPProbe.listen(in: f.namespaceName("b"), address: "192.0.2.2", port: 7700)
            #expect(try TCPProbe.connect(from: f.namespaceName("c"), to: "192.0.2.2", port: 7700) == .connected)
            #expect(listener.result()?.peer == "192.0.2.1")
        }
    }

    @Test func inThisNamespace() throws {
        try NamespaceFixture.with { f in
            let rt = try RouteNetlink(namespace: try f.namespace("a"))
            let parent = try f.linkName("d")
            try rt.createVeth(parent, peer: try f.linkName("e"))
            let made = try rt.createMacvlan(try f.linkName("m"), parent: parent)
            #expect(made.kind == .macvlan)
            let oracle = try #require(try IPRouteOracle.link(made.name, in: f.namespaceName("a")))
            #expect(oracle.kind == "macvlan")
        }
    }

    @Test func aMissingParentIsNoSuchDeviceAndAMissingNamespaceIsUnknown() throws {
        try NamespaceFixture.with { f in
            let rt = try RouteNetlink(namespace: try f.namespace("a"))
            let error = #expect(throws: RouteNLError.self) {
                try rt.createMacvlan(try f.linkName("m"), parent: try f.linkName("none"))
            }
            #expect(error?.code == .noSuchDevice)
            #expect(error?.description.contains("create macvlan") == true)
            let parent = try f.linkName("d")
            let peer = try f.linkName("e")
            try rt.createVeth(parent, peer: peer)
            let missing = #expect(throws: RouteNLError.self) {
                try rt.createMacvlan(try f.linkName("m"), parent: parent, namespace: .named(f.namespaceName("gone")))
            }
            #expect(missing?.code == .unknownNamespace)
            #expect(try IPRouteOracle.links(in: f.namespaceName("a")).map(\.ifname).sorted() == ["lo", parent.rawValue, peer.rawValue].sorted())
        }
    }
}
