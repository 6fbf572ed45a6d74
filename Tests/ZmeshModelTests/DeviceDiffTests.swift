import Testing
import ZmeshModel

@Suite("Diffing a device against its desired configuration")
struct DeviceDiffTests {
    func key(_ n: UInt8) -> WireGuardKey { WireGuardKey(bytes: [UInt8](repeating: n, count: 32))! }
    func prefixes(_ texts: String...) -> [IPPrefix] { texts.map { try! IPPrefix($0) } }

    func device(_ peers: [PeerConfiguration], port: UInt16 = 51820) -> DeviceStatus {
        DeviceStatus(
            name: try! InterfaceName("wg0"), privateKey: PrivateKey(key(9)).clamped, listenPort: port,
            peers: peers.map { PeerStatus(configuration: $0, receivedBytes: 10, transmittedBytes: 20) })
    }

    @Test func identicalConfigurationSendsNothing() {
        let peers = [
            PeerConfiguration(publicKey: key(1), endpoint: try! Endpoint("10.0.0.1:1"), allowedIPs: prefixes("10.1.0.0/24", "fd00::/64")),
            PeerConfiguration(publicKey: key(2), persistentKeepalive: 25, allowedIPs: prefixes("10.2.0.0/24")),
        ]
        // Allowed IPs in another order and an unclamped private key are still the same configuration.
        let desired = DeviceConfiguration(
            privateKey: PrivateKey(key(9)), listenPort: 51820,
            peers: [PeerConfiguration(publicKey: key(2), persistentKeepalive: 25, allowedIPs: prefixes("10.2.0.0/24")),
                    PeerConfiguration(publicKey: key(1), endpoint: try! Endpoint("10.0.0.1:1"), allowedIPs: prefixes("fd00::/64", "10.1.0.0/24"))])
        #expect(DeviceUpdate(from: device(peers), to: desired).isEmpty)
    }

    @Test func onePeerChangedTouchesOnlyThatPeerAndOnlyItsChangedField() {
        let current = device((1...100).map { PeerConfiguration(publicKey: key($0), allowedIPs: prefixes("10.0.\($0).0/24")) })
        var desired = current.configuration
        desired.peers[41].endpoint = try! Endpoint("192.0.2.7:51820")
        let update = DeviceUpdate(from: current, to: desired)
        #expect(!update.replacePeers)
        #expect(update.privateKey == nil && update.listenPort == nil && update.fwmark == nil)
        #expect(update.peers == [PeerUpdate(publicKey: key(42), endpoint: try! Endpoint("192.0.2.7:51820"))])
    }

    @Test func addedAndRemovedPeers() {
        let current = device([PeerConfiguration(publicKey: key(1)), PeerConfiguration(publicKey: key(2))])
        let added = PeerConfiguration(publicKey: key(3), allowedIPs: prefixes("10.3.0.0/24"))
        let desired = DeviceConfiguration(privateKey: PrivateKey(key(9)), listenPort: 51820, peers: [PeerConfiguration(publicKey: key(1)), added])
        let update = DeviceUpdate(from: current, to: desired)
        #expect(update.peers == [.removing(key(2)), PeerUpdate(creating: added)])
    }

    @Test func allowedIPRemovalReplacesTheListUnlessTheKernelCanRemoveOne() {
        let current = device([PeerConfiguration(publicKey: key(1), allowedIPs: prefixes("10.0.0.1/32", "10.0.0.2/32"))])
        var desired = current.configuration
        desired.peers[0].allowedIPs = prefixes("10.0.0.1/32", "10.0.0.3/32")
        let replacing = DeviceUpdate(from: current, to: desired, canRemoveAllowedIPs: false)
        #expect(replacing.peers == [PeerUpdate(publicKey: key(1), replaceAllowedIPs: true, allowedIPs: prefixes("10.0.0.1/32", "10.0.0.3/32"))])
        let precise = DeviceUpdate(from: current, to: desired, canRemoveAllowedIPs: true)
        #expect(precise.peers == [PeerUpdate(publicKey: key(1), allowedIPs: prefixes("10.0.0.3/32"), removedAllowedIPs: prefixes("10.0.0.2/32"))])
    }

    @Test func additionsOnlyNeverReplace() {
        let current = device([PeerConfiguration(publicKey: key(1), allowedIPs: prefixes("10.0.0.1/32"))])
        var desired = current.configuration
        desired.peers[0].allowedIPs.append(contentsOf: prefixes("10.0.0.9/32"))
        #expect(DeviceUpdate(from: current, to: desired).peers == [PeerUpdate(publicKey: key(1), allowedIPs: prefixes("10.0.0.9/32"))])
    }

    @Test func roamedEndpointAndAnyPortAreNotDifferences() {
        let current = device([PeerConfiguration(publicKey: key(1), endpoint: try! Endpoint("198.51.100.4:4000"))], port: 43211)
        let desired = DeviceConfiguration(privateKey: PrivateKey(key(9)), listenPort: 0, peers: [PeerConfiguration(publicKey: key(1))])
        #expect(DeviceUpdate(from: current, to: desired).isEmpty)
    }

    @Test func deviceScalarsAndPresharedKey() {
        let current = device([PeerConfiguration(publicKey: key(1), presharedKey: key(5))])
        let desired = DeviceConfiguration(privateKey: PrivateKey(key(8)), listenPort: 1000, fwmark: 7, peers: [PeerConfiguration(publicKey: key(1))])
        let update = DeviceUpdate(from: current, to: desired)
        #expect(update.privateKey == .some(PrivateKey(key(8))))
        #expect(update.listenPort == 1000)
        #expect(update.fwmark == 7)
        #expect(update.peers == [PeerUpdate(publicKey: key(1), presharedKey: .some(nil))])
    }

    @Test func validationListsEveryProblem() {
        let config = DeviceConfiguration(peers: [
            PeerConfiguration(publicKey: key(1), allowedIPs: prefixes("10.0.0.0/24")),
            PeerConfiguration(publicKey: key(2), allowedIPs: prefixes("10.0.0.0/24", "10.9.0.0/24")),
            PeerConfiguration(publicKey: key(1)),
        ])
        #expect {
            try config.validate()
        } throws: { error in
            let problems = (error as? ConfigurationProblems)?.problems ?? []
            return problems.count == 2 && problems.contains { $0.contains("10.0.0.0/24") && $0.hasPrefix("peers[1]") }
                && problems.contains { $0.hasPrefix("peers[2]") }
        }
    }
}
