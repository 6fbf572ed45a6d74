public import ZmeshCrypto
import ZmeshJSON

extension RegistryClient {
    /// Reports the state of the node's networks (`POST /v1/nodes/{id}/status`, signed by the node).
    /// - Returns: how many network reports the registry accepted.
    public func reportStatus(_ networks: [NetworkReport]) async throws(RegistryClientError) -> Int {
        let operation = "report node status"
        guard let identity else { throw .missingIdentity(operation: operation) }
        if let unknown = networks.first(where: { $0.state == .unknown }) {
            throw .invalidArgument(
                operation: operation, value: "\(unknown.network): unknown",
                reason: "a node reports applied, failed or removed")
        }
        let call = RegistryCall(
            operation: operation, method: .post, path: "/v1/nodes/\(identity.id.rawValue)/status",
            body: WireBody.bytes([JSONMember("networks", .array(networks.map(\.json)))]), signed: true)
        return try await fetch(call) { wire throws(WireError) in try wire.integer("accepted", as: Int.self) }
    }

    /// Every node's state for `network` of `owner` (`GET /v1/networks/{owner}/{network}/status`, public).
    public func networkStatus(owner: IdentityID, network: String) async throws(RegistryClientError) -> NetworkStatus {
        let call = RegistryCall(
            operation: "read the status of network '\(network)' of \(owner)", method: .get,
            path: "/v1/networks/\(owner.rawValue)/\(PercentEncoding.encode(network))/status")
        return try await fetch(call) { wire throws(WireError) in try NetworkStatus(wire: wire) }
    }
}
