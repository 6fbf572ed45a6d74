import RouteNL
import Testing
import ZmeshModel
import ZmeshTestSupport

@Suite("Addresses over libnl-route-3, checked against ip -j address", .requiresNetworkPrivileges)
struct AddressTests {
    @Test(arguments: ["10.1.1.1/24", "172.16.5.9/32", "fd00:1:2:3::1/64", "fd00:ab::7/128"])
    func addReplaceDeleteAndList(_ text: String) throws {
        try NamespaceFixture.with { f in
            let rt = try RouteNetlink(namespace: try f.namespace("a"))
            let ns = f.namespaceName("a")
            let br = try f.linkName("br")
            try rt.createBridge(br, up: true)
            let address = try InterfaceAddress(text)

            try rt.addAddress(address, to: br)
            let seen = try IPRouteOracle.addressStrings(in: ns).filter { $0.interface == br.rawValue && $0.address == text }
            let info = try #require(seen.first?.info)
            #expect(info.family == (address.isIPv4 ? "inet" : "inet6"))
            if !address.isIPv4 {
                // No duplicate address detection: usable at once, never "tentative".
                #expect(info.nodad == true)
                #expect(info.tentative != true)
            }
            let listed = try rt.addresses(on: br).map(\.address)
            #expect(listed.contains(address))
            #expect(try rt.addresses().contains { $0.address == address && $0.interfaceName == br.rawValue })

            // Adding it again is EEXIST; replacing is idempotent.
            let again = #expect(throws: RouteNLError.self) { try rt.addAddress(address, to: br) }
            #expect(again?.code == .exists)
            #expect(again?.object == "address \(text) on \(br)")
            try rt.replaceAddress(address, on: br)
            try rt.replaceAddress(address, on: br)
            #expect(try IPRouteOracle.addressStrings(in: ns).filter { $0.address == text }.count == 1)

            try rt.deleteAddress(address, from: br)
            #expect(try IPRouteOracle.addressStrings(in: ns).allSatisfy { $0.address != text })
            let gone = #expect(throws: RouteNLError.self) { try rt.deleteAddress(address, from: br) }
            #expect(gone?.code == .notFound)
        }
    }

    @Test func replaceAddsWhenAbsent() throws {
        try NamespaceFixture.with { f in
            let rt = try RouteNetlink(namespace: try f.namespace("a"))
            let br = try f.linkName("br")
            try rt.createBridge(br)
            try rt.replaceAddress(try InterfaceAddress("192.168.50.1/24"), on: br)
            #expect(try IPRouteOracle.addressStrings(in: f.namespaceName("a")).contains { $0.address == "192.168.50.1/24" })
        }
    }

    @Test func listMatchesIproute2() throws {
        try NamespaceFixture.with { f in
            let rt = try RouteNetlink(namespace: try f.namespace("a"))
            let br = try f.linkName("br")
            let v = try f.linkName("v")
            try rt.createBridge(br, up: true)
            try rt.createVeth(v, peer: try f.linkName("w"), up: true)
            for text in ["10.9.0.1/24", "10.9.1.1/16", "fd00:9::1/64"] { try rt.addAddress(try InterfaceAddress(text), to: br) }
            try rt.addAddress(try InterfaceAddress("100.64.3.4/32"), to: v)
            let oracle = Set(try IPRouteOracle.addressStrings(in: f.namespaceName("a")).map { "\($0.interface) \($0.address)" })
            let ours = Set(try rt.addresses().map { "\($0.interfaceName) \($0.address)" })
            #expect(ours == oracle)
        }
    }

    @Test func anAddressOnAMissingLinkIsNoSuchDevice() throws {
        try NamespaceFixture.with { f in
            let rt = try RouteNetlink(namespace: try f.namespace("a"))
            let missing = try f.linkName("none")
            let error = #expect(throws: RouteNLError.self) { try rt.addAddress(try InterfaceAddress("10.0.0.1/8"), to: missing) }
            #expect(error?.code == .noSuchDevice)
            #expect(error?.object == "link \(missing)")
            #expect(error?.namespace == "namespace \(f.namespaceName("a"))")
        }
    }
}
