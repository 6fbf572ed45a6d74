public import ZmeshCrypto

extension RegistryClient {
    /// Submits a signed deployment document (`POST /v1/deployments`, signed by the client's twin, which must
    /// be the owner or a requested signer). The bytes are sent as they are: the registry verifies them.
    /// - Returns: ``DeploymentSubmission/stored(_:)`` (201), ``DeploymentSubmission/alreadyStored(_:)`` (200)
    ///   or ``DeploymentSubmission/proposed(_:)`` (202, short of its signature weight).
    /// - Throws: a refusal such as `invalid_deployment` (with its problems), `unknown_node`, `not_an_owner`.
    public func submitDeployment(documentJSON: [UInt8]) async throws(RegistryClientError) -> DeploymentSubmission {
        let call = RegistryCall(
            operation: "submit deployment", method: .post, path: "/v1/deployments", body: documentJSON, signed: true,
            expected: [200, 201, 202])
        let response = try await exchange(call)
        return try decode(response, call) { wire throws(WireError) in
            let status = try wire.optionalString("status")
            switch (response.status, status) {
            case (202, _), (_, "proposed"): return .proposed(try ProposalStatus(wire: wire))
            case (200, _), (_, "already_stored"): return .alreadyStored(try DeploymentSummary(wire: wire))
            default: return .stored(try DeploymentSummary(wire: wire))
            }
        }
    }

    /// Every stored version of `network` of `owner`, oldest first (`GET /v1/deployments/{owner}/{network}`).
    public func deploymentHistory(owner: IdentityID, network: String) async throws(RegistryClientError)
        -> [DeploymentSummary]
    {
        let call = RegistryCall(
            operation: "read the history of network '\(network)' of \(owner)", method: .get,
            path: "/v1/deployments/\(owner.rawValue)/\(PercentEncoding.encode(network))")
        return try await fetch(call) { wire throws(WireError) in
            try wire.objects("versions").map { item throws(WireError) in try DeploymentSummary(wire: item) }
        }
    }

    /// The stored document of one version, as JSON text (`GET /v1/deployments/{owner}/{network}/{version}`).
    /// The caller parses and verifies it: the registry is not trusted.
    public func deploymentDocument(owner: IdentityID, network: String, version: UInt64) async throws(RegistryClientError)
        -> [UInt8]
    {
        let call = RegistryCall(
            operation: "read version \(version) of network '\(network)' of \(owner)", method: .get,
            path: "/v1/deployments/\(owner.rawValue)/\(PercentEncoding.encode(network))/\(version)")
        return try await exchange(call).body
    }

    /// Proposals awaiting `signer`'s signature (`GET /v1/proposals?signer=`, public).
    public func proposals(signer: IdentityID) async throws(RegistryClientError) -> [PendingProposal] {
        let call = RegistryCall(
            operation: "list proposals awaiting \(signer)", method: .get, path: "/v1/proposals?signer=\(signer.rawValue)")
        return try await fetch(call) { wire throws(WireError) in
            try wire.objects("proposals").map { item throws(WireError) in try PendingProposal(wire: item) }
        }
    }
}
