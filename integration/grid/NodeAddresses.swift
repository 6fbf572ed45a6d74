import Deployments
import Foundation
import SystemSupport

/// Addresses on a simulated node that isolation checks aim at: the ndmz side of an NR's uplink.
extension SimulatedNode {
    /// The IPv4 addresses of `link` in the node's namespace `namespace` (`ip -j addr`).
    public func ipv4Addresses(of link: String, inNamespace namespace: String) throws -> [String] {
        let text = try run([GridEnvironment.path("ip"), "-n", namespace, "-j", "-4", "addr", "show", "dev", link]).output()
        struct Entry: Decodable {
            struct Address: Decodable { let local: String }
            let addr_info: [Address]
        }
        return try JSONDecoder().decode([Entry].self, from: Data(text.utf8)).flatMap(\.addr_info).map(\.local)
    }

    /// The NR's end of its ndmz /31 (the odd address, on `ndmz` in `n-<id>`) and the ndmz's end (the
    /// even one, its gateway, on `n-<id>` in the ndmz).
    public func ndmzLink(network: NetworkID) throws -> (resource: String, ndmz: String) {
        let resource = try ipv4Addresses(of: "ndmz", inNamespace: network.namespaceName)
        let gateway = try ipv4Addresses(of: network.namespaceName, inNamespace: "ndmz")
        guard let resource = resource.first, let gateway = gateway.first else {
            throw GridError("read the ndmz link of", "\(network.namespaceName) on \(self)", "no IPv4 address")
        }
        return (resource, gateway)
    }
}
