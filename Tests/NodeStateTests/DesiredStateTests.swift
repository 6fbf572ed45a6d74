import DeploymentTestSupport
import Deployments
import Firewall
import NodeState
import Testing
import ZmeshCrypto
import ZmeshModel

@Suite struct DesiredStateTests {
    @Test func sampleDeploymentGivesTheNetworkResourceOfTheDesign() throws {
        let deployment = Samples.deployment()
        let desired = try NodeDesiredState(node: Samples.node, inputs: [Samples.input(deployment)])
        #expect(desired.publicSide == .host)
        #expect(desired.ndmz.namespace == "ndmz")
        #expect(desired.ndmz.policy == nil)
        let nr = try #require(desired.resources.first)
        #expect(desired.resources.count == 1)
        let id = deployment.network.id
        #expect(nr.id == id)
        #expect(nr.namespace == "n-\(id)")
        #expect(nr.namespace.utf8.count == 15)

        #expect(nr.wireGuard.link.name.rawValue == "w-\(id)")
        #expect(nr.wireGuard.link.mtu == 1420)
        #expect(nr.wireGuard.link.addresses == [Samples.address("100.64.20.1/16")])
        #expect(nr.wireGuard.configuration.privateKey == Samples.nodeKey)
        #expect(nr.wireGuard.configuration.listenPort == 51820)
        #expect(nr.wireGuard.configuration.peers.count == 3)
        #expect(
            nr.wireGuard.configuration
                == deployment.node(Samples.node)?.deviceConfiguration(privateKey: Samples.nodeKey))

        #expect(nr.bridge.name.rawValue == "b-\(id)")
        #expect(nr.bridge.addresses == [Samples.address("10.20.1.1/24"), Samples.address("fd12:3456:789a:1::1/64")])

        #expect(nr.uplink.name.rawValue == "ndmz")
        #expect(nr.ndmzEnd.name.rawValue == "n-\(id)")
        let resourceSide = try #require(nr.uplink.addresses.first)
        let ndmzSide = try #require(nr.ndmzEnd.addresses.first)
        #expect(resourceSide.prefixLength == 31 && ndmzSide.prefixLength == 31)
        #expect(ReservedRanges.ndmz.contains(resourceSide.address) && ReservedRanges.ndmz.contains(ndmzSide.address))
        #expect(try IPPrefix(resourceSide.address, length: 31) == IPPrefix(ndmzSide.address, length: 31))

        let w = nr.wireGuard.link.name
        #expect(
            nr.routes == [
                RouteSpec(destination: Samples.prefix("10.20.0.0/16"), device: w),
                RouteSpec(destination: Samples.prefix("fd12:3456:789a::/48"), device: w, metric: 1024),
                RouteSpec(
                    destination: Samples.prefix("0.0.0.0/0"), gateway: ndmzSide.address, device: Samples.name("ndmz")),
            ])
        #expect(nr.egress.name == .networkResource)
        #expect(
            nr.egress
                == (try NetworkResourceEgress(
                    uplink: Samples.name("ndmz"),
                    sources: [Samples.prefix("10.20.0.0/16"), Samples.prefix("fd12:3456:789a::/48")]
                ).table()))
        #expect(nr.egress.definition.contains("oifname \"ndmz\" ip saddr 10.20.0.0/16 masquerade"))
    }

    @Test func otherNodesGetTheirOwnSubnetsAndANodeOutsideTheNetworkGetsNothing() throws {
        let deployment = Samples.deployment()
        let node2 = try NodeDesiredState(
            node: Fixtures.node2.id,
            inputs: [NodeDesiredState.Input(deployment: deployment, privateKey: Fixtures.wireGuardKey(0x32))])
        let nr = try #require(node2.resources.first)
        #expect(nr.wireGuard.link.addresses == [Samples.address("100.64.20.2/16")])
        #expect(nr.bridge.addresses.contains(Samples.address("10.20.2.1/24")))
        #expect(nr.wireGuard.configuration.listenPort == 51821)

        let outsider = try NodeDesiredState(node: Fixtures.mallory.id, inputs: [Samples.input(deployment)])
        #expect(outsider.resources.isEmpty)
    }

    @Test func conflictsBetweenNetworksAreRefusedTogether() {
        let a = Samples.deployment("alpha", port: 51820)
        let b = Samples.deployment("beta", port: 51820)
        #expect {
            try NodeDesiredState(node: Samples.node, inputs: [Samples.input(a), Samples.input(b), Samples.input(a)])
        } throws: { error in
            guard let error = error as? DesiredStateError else { return false }
            return error.problems.count == 2 && error.problems.contains { $0.contains("given twice") }
                && error.problems.contains { $0.contains("both listen on UDP port 51820") }
        }
    }

    @Test func egressLinksAreDistinctAndStableWhenNetworksComeAndGo() throws {
        let names = (0..<40).map { "net\($0)" }
        let all = Samples.desired(names)
        var seen: Set<IPAddress> = []
        for nr in all.resources {
            for address in nr.uplink.addresses.union(nr.ndmzEnd.addresses) {
                #expect(seen.insert(address.address).inserted, "\(address) is used twice")
            }
        }
        // Computed again from the running node with one network fewer and one more: the others keep theirs.
        let running = Samples.converged(all)
        let changed = try NodeDesiredState(
            node: Samples.node,
            inputs: (names.dropFirst() + ["extra"]).enumerated().map {
                Samples.input(Samples.deployment($1, port: 52000 + Int64($0)))
            },
            current: running)
        let before = Dictionary(uniqueKeysWithValues: all.resources.map { ($0.id, $0.uplink.addresses) })
        for nr in changed.resources where before[nr.id] != nil {
            #expect(nr.uplink.addresses == before[nr.id])
        }
    }

    @Test func adoptedEgressAddressesWinOverDerivedOnes() throws {
        let desired = Samples.desired(["office"])
        var running = Samples.converged(desired)
        let nr = try #require(desired.resources.first)
        // Someone (an earlier agent) gave this NR another /31: it is kept.
        running.namespaces[nr.namespace]?.links[Samples.name("ndmz")]?.addresses = [Samples.address("100.127.3.7/31")]
        let again = try NodeDesiredState(
            node: Samples.node, inputs: [Samples.input(Samples.deployment())], current: running)
        #expect(again.resources.first?.uplink.addresses == [Samples.address("100.127.3.7/31")])
        #expect(again.resources.first?.ndmzEnd.addresses == [Samples.address("100.127.3.6/31")])
    }

    @Test func descriptionsHideThePrivateKey() throws {
        let desired = Samples.desired(["office"])
        let text = "\(desired) \(ReconcilePlan(from: Samples.hostOnly, to: desired))"
        let secret = Samples.nodeKey.key.base64
        #expect(!text.contains(secret))
    }
}
