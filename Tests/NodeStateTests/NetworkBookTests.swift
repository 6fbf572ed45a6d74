import DeploymentTestSupport
import Deployments
import NodeState
import Testing
import ZmeshCrypto
import ZmeshModel

/// The agent's book of networks: what is admitted, refused, removed, and what runs after a failure.
@Suite struct NetworkBookTests {
    let node = Fixtures.node1

    /// The sample network (node 1 listens on 51820), version `version`, signed by alice and bob.
    static func document(
        version: UInt64, name: String = "office", signers: [Identity] = [Fixtures.alice, Fixtures.bob],
        edit: (inout Deployment) -> Void = { _ in }
    ) -> Deployment {
        var d = Fixtures.deployment(version: version, name: name)
        edit(&d)
        for signer in signers { try? d.sign(with: signer) }
        return d
    }

    static func delivery(_ d: Deployment) -> NetworkBook.Delivery {
        NetworkBook.Delivery(
            owner: Fixtures.alice.id, network: d.network.name, version: UInt64(clamping: d.version),
            document: Array(d.json(pretty: false).utf8))
    }

    static func id(_ name: String = "office") -> NetworkID {
        NetworkID(owner: Fixtures.alice.id, name: try! NetworkName(name))
    }

    /// The version of `id`'s wanted input, if any.
    static func wantedVersion(_ book: NetworkBook, _ id: NetworkID = id()) -> UInt64? {
        book.networks[id]?.wanted?.deployment.version
    }

    /// A book with version 0 of the sample network admitted and applied.
    func bookWithVersionZero() -> NetworkBook {
        var book = NetworkBook(node: node.id)
        _ = book.receive(Self.delivery(Self.document(version: 0)), identity: node)
        _ = book.settle(failures: [:], nodeFailure: nil)
        return book
    }

    @Test func aValidDeploymentIsAdmittedThenApplied() throws {
        var book = NetworkBook(node: node.id)
        let decision = book.receive(Self.delivery(Self.document(version: 0)), identity: node)
        #expect(decision == .admitted(Self.id(), version: 0))
        #expect(decision.changesDesiredState)
        #expect(book.reports.isEmpty, "nothing is reported before the kernel has it")
        let desired = try book.desiredState(current: nil)
        #expect(desired.resources.map(\.id) == [Self.id()])
        #expect(desired.resources.first?.wireGuard.configuration.privateKey == Fixtures.wireGuardKey(0x31))

        let r1 = book.settle(failures: [:], nodeFailure: nil)
        #expect(r1 == false)
        #expect(book.networks[Self.id()]?.condition == .applied(version: 0))
        let report = try #require(book.reports.first)
        #expect(report.state == .applied && report.version == 0 && report.error == nil)
        #expect(report.owner == Fixtures.alice.id && report.network == "office")
    }

    @Test func aNodeFailureDoesNotPromoteToApplied() throws {
        var book = NetworkBook(node: node.id)
        _ = book.receive(Self.delivery(Self.document(version: 0)), identity: node)
        _ = book.settle(failures: [:], nodeFailure: "create namespace ndmz: EPERM")
        #expect(book.networks[Self.id()]?.condition == .pending(version: 0))
        _ = book.settle(failures: [:], nodeFailure: nil)
        #expect(book.networks[Self.id()]?.condition == .applied(version: 0))
    }

    @Test func reDeliveryOfTheVersionInForceIsANoOp() {
        var book = bookWithVersionZero()
        let again = book.receive(Self.delivery(Self.document(version: 0)), identity: node)
        // Sealed keys are random per build: a rebuilt version 0 is a different document (a replay).
        if case .refused(_, 0, let reason) = again {
            #expect(reason.contains("version"))
        } else {
            Issue.record("a different document with version 0 was not refused: \(again)")
        }
        #expect(Self.wantedVersion(book) == 0)

        var fresh = NetworkBook(node: node.id)
        let document = Self.document(version: 0)
        _ = fresh.receive(Self.delivery(document), identity: node)
        _ = fresh.settle(failures: [:], nodeFailure: nil)
        let r2 = fresh.receive(Self.delivery(document), identity: node)
        #expect(r2 == .unchanged(Self.id(), version: 0))
        #expect(fresh.networks[Self.id()]?.condition == .applied(version: 0))
    }

    @Test func anUpdateReplacesTheWantedInput() throws {
        var book = bookWithVersionZero()
        let update = Self.document(version: 1) { $0.nodes[0].peers.removeLast() }
        let r3 = book.receive(Self.delivery(update), identity: node)
        #expect(r3 == .admitted(Self.id(), version: 1))
        #expect(Self.wantedVersion(book) == 1)
        #expect(try book.desiredState(current: nil).resources.first?.wireGuard.configuration.peers.count == 2)
        _ = book.settle(failures: [:], nodeFailure: nil)
        #expect(book.reports.first?.state == .applied && book.reports.first?.version == 1)
    }

    /// Under-signed, tampered, invalid, replayed or skipping: refused, version 0 stays wanted.
    @Test(arguments: ["under-signed", "tampered", "invalid", "older", "skipping"])
    func aBadDocumentIsRefusedAndThePreviousVersionKept(kind: String) throws {
        var book = bookWithVersionZero()
        let bad: Deployment
        let expected: String
        switch kind {
        case "under-signed":
            bad = Self.document(version: 1, signers: [Fixtures.bob])  // alice is required
            expected = "has not signed"
        case "tampered":
            var d = Self.document(version: 1)
            d.nodes[0].peers[0].endpoint = "198.51.100.9:51821"
            bad = d
            expected = "does not verify"
        case "invalid":
            bad = Self.document(version: 1) { $0.nodes[0].listenPort = 80 }
            expected = "nodes[0].listen_port"
        case "older":
            var applied = book
            _ = applied.receive(Self.delivery(Self.document(version: 1)), identity: node)
            _ = applied.settle(failures: [:], nodeFailure: nil)
            book = applied
            bad = Self.document(version: 0)
            expected = "older"
        default:
            bad = Self.document(version: 2)
            expected = "skips ahead"
        }
        let inForce = Self.wantedVersion(book)
        let decision = book.receive(Self.delivery(bad), identity: node)
        guard case .refused(let id, let version, let reason) = decision else {
            Issue.record("\(kind): not refused: \(decision)")
            return
        }
        #expect(id == Self.id() && version == UInt64(bad.version))
        #expect(reason.lowercased().contains(expected), "\(kind): \(reason)")
        #expect(Self.wantedVersion(book) == inForce)
        #expect(book.networks[Self.id()]?.head?.version == Int64(inForce ?? 0), "the head does not move")
        let report = try #require(book.reports.first)
        #expect(report.state == .failed && report.version == UInt64(bad.version) && report.error == reason)
        #expect(try book.desiredState(current: nil).resources.first?.wireGuard.configuration.listenPort == 51820)
    }

    @Test func aKeyThatDoesNotOpenIsRefusedButTheNextVersionIsAdmitted() throws {
        var book = bookWithVersionZero()
        // Node 1's part carries node 2's sealed key: valid and signed, but it does not open here.
        let foreign = Self.document(version: 1) { $0.nodes[0].sealedPrivateKey = $0.nodes[1].sealedPrivateKey }
        let decision = book.receive(Self.delivery(foreign), identity: node)
        guard case .refused(_, 1, let reason) = decision else {
            Issue.record("not refused: \(decision)")
            return
        }
        #expect(reason.contains("nodes[0].sealed_private_key"))
        #expect(Self.wantedVersion(book) == 0)
        #expect(book.reports.first?.state == .failed && book.reports.first?.version == 1)
        // The owners signed version 1: their version 2 follows it.
        let r4 = book.receive(Self.delivery(Self.document(version: 2)), identity: node)
        #expect(r4 == .admitted(Self.id(), version: 2))
    }

    @Test func aPortTakenByAnotherNetworkIsRefused() throws {
        var book = bookWithVersionZero()
        let other = Self.document(version: 0, name: "lab")  // node 1 on 51820 as well
        let decision = book.receive(Self.delivery(other), identity: node)
        guard case .refused(let id, 0, let reason) = decision else {
            Issue.record("not refused: \(decision)")
            return
        }
        #expect(id == Self.id("lab"))
        #expect(reason.contains("51820") && reason.contains("nodes[0].listen_port"), "\(reason)")
        #expect(try book.desiredState(current: nil).resources.map(\.id) == [Self.id()])
        #expect(book.reports.first(where: { $0.network == "lab" })?.state == .failed)

        // Version 1 on another port is admitted next to office.
        let moved = Self.document(version: 1, name: "lab") { $0.nodes[0].listenPort = 51830 }
        let r5 = book.receive(Self.delivery(moved), identity: node)
        #expect(r5 == .admitted(Self.id("lab"), version: 1))
        #expect(try book.desiredState(current: nil).resources.count == 2)
    }

    @Test(arguments: [true, false])
    func aVersionWithoutThisNodeRemovesTheNetwork(emptied: Bool) throws {
        var book = bookWithVersionZero()
        let removal = Self.document(version: 1) { d in
            if emptied { d.nodes = [] } else { d.nodes.removeAll { $0.id == Fixtures.node1.id.rawValue } }
        }
        let r6 = book.receive(Self.delivery(removal), identity: node)
        #expect(r6 == .removal(Self.id(), version: 1))
        #expect(try book.desiredState(current: nil).resources.isEmpty)
        #expect(book.reports.isEmpty, "reported once removed")
        _ = book.settle(failures: [:], nodeFailure: nil)
        #expect(book.reports.first?.state == .removed && book.reports.first?.version == 1)
        // Deployed again later.
        let r7 = book.receive(Self.delivery(Self.document(version: 2)), identity: node)
        #expect(r7 == .admitted(Self.id(), version: 2))
    }

    @Test func aFailedApplyPutsThePreviousInputBack() throws {
        var book = bookWithVersionZero()
        _ = book.receive(Self.delivery(Self.document(version: 1) { $0.nodes[0].peers.removeLast() }), identity: node)
        let r8 = book.settle(failures: [Self.id(): "configure w-…: EBUSY"], nodeFailure: nil)
        #expect(r8, "reconcile again")
        #expect(Self.wantedVersion(book) == 0)
        #expect(try book.desiredState(current: nil).resources.first?.wireGuard.configuration.peers.count == 3)
        // The second reconcile restores version 0; the report stays: version 1 failed.
        let r9 = book.settle(failures: [:], nodeFailure: nil)
        #expect(r9 == false)
        let report = try #require(book.reports.first)
        #expect(report.state == .failed && report.version == 1 && report.error?.contains("EBUSY") == true)
        // Re-delivery of version 1 is a no-op; version 2 is admitted.
        let head = try #require(book.networks[Self.id()]?.head)
        let r10 = book.receive(Self.delivery(head), identity: node)
        #expect(r10 == .unchanged(Self.id(), version: 1))
        let r11 = book.receive(Self.delivery(Self.document(version: 2)), identity: node)
        #expect(r11 == .admitted(Self.id(), version: 2))
    }

    @Test func aNewNetworkThatFailsToApplyIsNotWanted() throws {
        var book = NetworkBook(node: node.id)
        _ = book.receive(Self.delivery(Self.document(version: 0)), identity: node)
        let restored = book.settle(failures: [Self.id(): "boom"], nodeFailure: nil)
        #expect(restored)
        #expect(try book.desiredState(current: nil).resources.isEmpty)
        #expect(book.reports.first?.state == .failed)
    }

    @Test func driftFailuresOfAnAppliedNetworkAreReportedUntilItApplies() {
        var book = bookWithVersionZero()
        let r12 = book.settle(failures: [Self.id(): "wireguard-go did not start"], nodeFailure: nil)
        #expect(r12 == false)
        #expect(Self.wantedVersion(book) == 0, "nothing to put back: version 0 stays wanted")
        #expect(book.reports.first?.state == .failed && book.reports.first?.version == 0)
        _ = book.settle(failures: [:], nodeFailure: nil)
        #expect(book.reports.first?.state == .applied)
    }

    @Test func anUnreadableDocumentIsRefusedUnderTheMailboxName() {
        var book = NetworkBook(node: node.id)
        let delivery = NetworkBook.Delivery(
            owner: Fixtures.alice.id, network: "office", version: 3, document: Array("{\"schema\":".utf8))
        guard case .refused(let id, 3, let reason) = book.receive(delivery, identity: node) else {
            Issue.record("not refused")
            return
        }
        #expect(id == Self.id() && reason.contains("cannot be read"))
    }
}
