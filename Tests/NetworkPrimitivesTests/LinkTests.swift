import RouteNL
import SystemSupport
import Testing
import ZmeshModel
import ZmeshTestSupport

@Suite("Links over libnl-route-3, checked against ip -d -j link", .requiresNetworkPrivileges)
struct LinkTests {
    @Test func bridgeWithMTUAndUp() throws {
        try NamespaceFixture.with { f in
            let ns = try f.namespace("a")
            let rt = try RouteNetlink(namespace: ns)
            let br = try f.linkName("br")
            let made = try rt.createBridge(br, mtu: 1400, up: true)
            let oracle = try #require(try IPRouteOracle.link(br.rawValue, in: f.namespaceName("a")))
            #expect(oracle.kind == "bridge")
            #expect(oracle.mtu == 1400)
            #expect(oracle.isUp)
            #expect(made.index == Int32(oracle.ifindex))
            #expect(made.kind == .bridge)
            #expect(made.isUp)
        }
    }

    @Test func vethWithItsPeerCreatedDirectlyInAnotherNamespace() throws {
        try NamespaceFixture.with { f in
            let a = try f.namespace("a")
            let b = try f.namespace("b")
            let local = try f.linkName("va")
            let peer = try f.linkName("vb")
            let made = try RouteNetlink(namespace: a).createVeth(local, peer: peer, peerNamespace: b, mtu: 1450)
            let inA = try IPRouteOracle.links(in: f.namespaceName("a"))
            let inB = try IPRouteOracle.links(in: f.namespaceName("b"))
            #expect(inA.map(\.ifname).sorted() == ["lo", local.rawValue].sorted())
            #expect(inB.map(\.ifname).sorted() == ["lo", peer.rawValue].sorted())
            #expect(inA.first { $0.ifname == local.rawValue }?.kind == "veth")
            #expect(inB.first { $0.ifname == peer.rawValue }?.kind == "veth")
            #expect(inB.first { $0.ifname == peer.rawValue }?.mtu == 1450)
            #expect(made.index == Int32(inA.first { $0.ifname == local.rawValue }?.ifindex ?? -1))
            // Created from a dedicated thread inside `a`, the peer still went to `b` (by fd), not to
            // the main thread's namespace: the fixture's leak check looks there too.
        }
    }

    @Test func vethWithBothEndsHere() throws {
        try NamespaceFixture.with { f in
            let a = try f.namespace("a")
            let rt = try RouteNetlink(namespace: a)
            try rt.createVeth(try f.linkName("x"), peer: try f.linkName("y"))
            let names = try IPRouteOracle.links(in: f.namespaceName("a")).filter { $0.kind == "veth" }.map(\.ifname)
            #expect(Set(names) == [try f.linkName("x").rawValue, try f.linkName("y").rawValue])
            try rt.deleteLink(try f.linkName("y"))
            #expect(try IPRouteOracle.links(in: f.namespaceName("a")).map(\.ifname) == ["lo"])
        }
    }

    @Test func enslaveAndRelease() throws {
        try NamespaceFixture.with { f in
            let rt = try RouteNetlink(namespace: try f.namespace("a"))
            let br = try f.linkName("br")
            let port = try f.linkName("p")
            try rt.createBridge(br)
            try rt.createVeth(port, peer: try f.linkName("q"))
            try rt.setMaster(port, to: br)
            #expect(try IPRouteOracle.link(port.rawValue, in: f.namespaceName("a"))?.master == br.rawValue)
            #expect(try rt.link(named: port).masterIndex == (try rt.link(named: br).index))
            try rt.releaseFromMaster(port)
            #expect(try IPRouteOracle.link(port.rawValue, in: f.namespaceName("a"))?.master == nil)
            #expect(try rt.link(named: port).masterIndex == nil)
        }
    }

    @Test func upAndDownUseTheChangeMask() throws {
        try NamespaceFixture.with { f in
            let rt = try RouteNetlink(namespace: try f.namespace("a"))
            let br = try f.linkName("br")
            try rt.createBridge(br)
            #expect(try IPRouteOracle.link(br.rawValue, in: f.namespaceName("a"))?.isUp == false)
            try rt.setUp(br)
            #expect(try IPRouteOracle.link(br.rawValue, in: f.namespaceName("a"))?.isUp == true)
            try rt.setDown(br)
            #expect(try IPRouteOracle.link(br.rawValue, in: f.namespaceName("a"))?.isUp == false)
            try rt.setDown(br)  // idempotent
            #expect(try rt.link(named: br).isUp == false)
        }
    }

    @Test(arguments: [1280 as UInt32, 1420, 9000])
    func mtu(_ mtu: UInt32) throws {
        try NamespaceFixture.with { f in
            let rt = try RouteNetlink(namespace: try f.namespace("a"))
            let v = try f.linkName("v")
            try rt.createVeth(v, peer: try f.linkName("w"))
            try rt.setMTU(v, mtu)
            #expect(try IPRouteOracle.link(v.rawValue, in: f.namespaceName("a"))?.mtu == Int(mtu))
            #expect(try rt.link(named: v).mtu == mtu)
        }
    }

    @Test func rename() throws {
        try NamespaceFixture.with { f in
            let rt = try RouteNetlink(namespace: try f.namespace("a"))
            let old = try f.linkName("old")
            let new = try f.linkName("new")
            try rt.createBridge(old)
            try rt.rename(old, to: new)
            var names = try IPRouteOracle.links(in: f.namespaceName("a")).map(\.ifname)
            #expect(names.contains(new.rawValue) && !names.contains(old.rawValue))
            // Kernels before 6.x refuse to rename a link that is up (.busy); newer ones allow it.
            try rt.setUp(new)
            do {
                try rt.rename(new, to: old)
            } catch let error as RouteNLError {
                #expect(error.code == .busy)
                try rt.setDown(new)
                try rt.rename(new, to: old)
            }
            names = try IPRouteOracle.links(in: f.namespaceName("a")).map(\.ifname)
            #expect(names.contains(old.rawValue) && !names.contains(new.rawValue))
            let taken = try f.linkName("taken")
            try rt.createBridge(taken)
            let error = #expect(throws: RouteNLError.self) { try rt.rename(taken, to: old) }
            #expect(error?.code == .exists)
        }
    }

    @Test func moveToAnotherNamespaceByFDRenamingOnTheWay() throws {
        try NamespaceFixture.with { f in
            let a = try f.namespace("a")
            let b = try f.namespace("b")
            let rtA = try RouteNetlink(namespace: a)
            let v = try f.linkName("v")
            let w = try f.linkName("w")
            try rtA.createVeth(v, peer: try f.linkName("peer"), up: true)
            // Take index 2.. in `b` so the moved link cannot keep its index by luck.
            for i in 0..<3 { try RouteNetlink(namespace: b).createBridge(try f.linkName("f\(i)")) }
            let moved = try rtA.move(v, to: b, newName: w)
            let inB = try #require(try IPRouteOracle.link(w.rawValue, in: f.namespaceName("b")))
            #expect(moved.index == Int32(inB.ifindex))
            #expect(moved.name == w.rawValue)
            #expect(!inB.isUp)  // links arrive down
            #expect(try IPRouteOracle.link(v.rawValue, in: f.namespaceName("a")) == nil)
            #expect(try rtA.linkIfPresent(named: v) == nil)
            // Moving it back under its old name works the same way.
            try RouteNetlink(namespace: b).move(w, to: a, newName: v)
            #expect(try IPRouteOracle.link(v.rawValue, in: f.namespaceName("a")) != nil)
        }
    }

    @Test func movingOntoATakenNameIsEEXISTAndLeavesTheLinkWhereItWas() throws {
        try NamespaceFixture.with { f in
            let a = try f.namespace("a")
            let b = try f.namespace("b")
            let name = try f.linkName("same")
            try RouteNetlink(namespace: a).createVeth(name, peer: try f.linkName("pa"))
            try RouteNetlink(namespace: b).createVeth(name, peer: try f.linkName("pb"))
            let error = #expect(throws: RouteNLError.self) { try RouteNetlink(namespace: a).move(name, to: b) }
            #expect(error?.code == .exists, "\(String(describing: error))")
            #expect(error?.namespace == "namespace \(f.namespaceName("a"))")
            #expect(error?.object == "link \(name)")
            #expect(try IPRouteOracle.link(name.rawValue, in: f.namespaceName("a")) != nil)
        }
    }

    @Test func bridgesCannotChangeNamespaceAndSaySo() throws {
        try NamespaceFixture.with { f in
            let a = try f.namespace("a")
            let b = try f.namespace("b")
            let br = try f.linkName("br")
            try RouteNetlink(namespace: a).createBridge(br)
            let error = #expect(throws: RouteNLError.self) { try RouteNetlink(namespace: a).move(br, to: b) }
            #expect(error?.code == .invalidArgument)
            #expect(error?.reason.contains("netns") == true, "the kernel's extended-ACK text: \(String(describing: error))")
        }
    }

    @Test func movingToAnUnknownNamespaceIsReportedAsSuch() throws {
        try NamespaceFixture.with { f in
            let rt = try RouteNetlink(namespace: try f.namespace("a"))
            let v = try f.linkName("v")
            try rt.createVeth(v, peer: try f.linkName("w"))
            let missing = NetworkNamespace.named(f.namespaceName("none"))
            let error = #expect(throws: RouteNLError.self) { try rt.move(v, to: missing) }
            #expect(error?.code == .unknownNamespace)
            #expect(try rt.linkIfPresent(named: v) != nil)
        }
    }

    @Test func listMatchesIproute2() throws {
        try NamespaceFixture.with { f in
            let a = try f.namespace("a")
            let rt = try RouteNetlink(namespace: a)
            let br = try f.linkName("br")
            try rt.createBridge(br, mtu: 1400, up: true)
            try rt.createVeth(try f.linkName("p"), peer: try f.linkName("q"), mtu: 1400, master: br, up: true)
            let ours = try rt.links()
            let oracle = try IPRouteOracle.links(in: f.namespaceName("a"))
            #expect(ours.count == oracle.count)
            let namesByIndex = Dictionary(uniqueKeysWithValues: ours.map { ($0.index, $0.name) })
            for link in oracle {
                let mine = try #require(ours.first { $0.index == Int32(link.ifindex) })
                #expect(mine.name == link.ifname)
                #expect(mine.kind?.rawValue == link.kind)
                #expect(mine.mtu == UInt32(link.mtu))
                #expect(mine.isUp == link.isUp)
                #expect(mine.flags.contains(.lowerUp) == link.flags.contains("LOWER_UP"))
                #expect(mine.masterIndex.flatMap { namesByIndex[$0] } == link.master)
                #expect(mine.operationalState.description == (link.operstate ?? "UNKNOWN"))
                #expect(mine.hardwareAddress == link.address)
            }
        }
    }

    @Test func wireguardKindIsCreatedOrReportedAsNotSupported() throws {
        try NamespaceFixture.with { f in
            let rt = try RouteNetlink(namespace: try f.namespace("a"))
            let wg = try f.linkName("wg")
            do {
                let made = try rt.createWireGuard(wg)
                // A kernel with WireGuard: the oracle sees the kind and its default MTU.
                let oracle = try #require(try IPRouteOracle.link(wg.rawValue, in: f.namespaceName("a")))
                #expect(oracle.kind == "wireguard")
                #expect(made.mtu == 1420)
            } catch let error as RouteNLError {
                // No module here: a typed error naming the link and the namespace, nothing left.
                #expect(error.code == .notSupported)
                #expect(error.object == "link \(wg)")
                #expect(error.namespace == "namespace \(f.namespaceName("a"))")
                #expect(error.description.contains("wireguard"))
                #expect(try IPRouteOracle.link(wg.rawValue, in: f.namespaceName("a")) == nil)
            }
        }
    }

    @Test func deleteRemovesAndDeletingAgainIsNoSuchDevice() throws {
        try NamespaceFixture.with { f in
            let rt = try RouteNetlink(namespace: try f.namespace("a"))
            let br = try f.linkName("br")
            try rt.createBridge(br)
            try rt.deleteLink(br)
            #expect(try IPRouteOracle.link(br.rawValue, in: f.namespaceName("a")) == nil)
            let error = #expect(throws: RouteNLError.self) { try rt.deleteLink(br) }
            #expect(error?.code == .noSuchDevice)
        }
    }

    @Test func aConnectionWithoutANamespaceWorksOnTheCallingThreadsNamespace() throws {
        try NamespaceFixture.with { f in
            let ns = try f.namespace("a")
            let br = try f.linkName("br")
            let names = try ns.run { () throws -> [String] in
                let rt = try RouteNetlink()
                try rt.createBridge(br)
                return try rt.links().map(\.name)
            }
            #expect(names.contains(br.rawValue))
            #expect(try IPRouteOracle.link(br.rawValue, in: f.namespaceName("a")) != nil)
        }
    }
}
