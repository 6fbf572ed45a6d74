import Deployments
import Foundation
import SystemSupport

/// A node's WireGuard peers as `wg` reads them (``SimulatedNode/wireGuardShow(network:_:)``).
extension SimulatedNode {
    /// `wg show w-<id> endpoints`: peer public key → endpoint (`IP:port`, `nil` when none is known).
    public func wireGuardEndpoints(network: NetworkID) throws(GridError) -> [String: String?] {
        let text = try wireGuardShow(network: network, "endpoints")
        var result: [String: String?] = [:]
        for line in text.split(separator: "\n") {
            let fields = line.split(whereSeparator: { $0 == "\t" || $0 == " " })
            guard fields.count == 2 else { continue }
            result[String(fields[0])] = fields[1] == "(none)" ? String?.none : String(fields[1])
        }
        return result
    }

    /// `wg show w-<id> persistent-keepalive`: peer public key → seconds (0: off).
    public func wireGuardKeepalives(network: NetworkID) throws(GridError) -> [String: Int] {
        let text = try wireGuardShow(network: network, "persistent-keepalive")
        var result: [String: Int] = [:]
        for line in text.split(separator: "\n") {
            let fields = line.split(whereSeparator: { $0 == "\t" || $0 == " " })
            if fields.count == 2 { result[String(fields[0])] = Int(fields[1]) ?? 0 }
        }
        return result
    }

    /// `wg show w-<id> public-key`: this node's public key in `network`.
    public func wireGuardPublicKey(network: NetworkID) throws(GridError) -> String {
        try wireGuardShow(network: network, "public-key")
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
