public import ZmeshCrypto

extension Deployment {
    /// Adds `identity`'s signature of ``digest``, replacing an earlier signature by the same twin
    /// (whose signature of an earlier edit would no longer verify).
    /// - Throws: when the twin is not among the signature requests: its signature would make the
    ///   deployment invalid.
    public mutating func sign(with identity: Identity) throws(DeploymentError) {
        let twin = identity.id
        guard signatureRequirement.requests.contains(where: { $0.twin == twin.rawValue }) else {
            throw DeploymentError(
                path: "\(Key.signatureRequirement).\(Key.requests)", "twin \(twin) is not among the signature requests")
        }
        let entry = Signature(
            twin: twin.rawValue, publicKey: identity.publicKey.base64,
            signature: identity.signature(for: digest.bytes).base64)
        signatures.removeAll { $0.twin == twin.rawValue }
        signatures.append(entry)
    }

    /// A copy signed by `identity` (see ``sign(with:)``).
    public func signed(by identity: Identity) throws(DeploymentError) -> Deployment {
        var copy = self
        try copy.sign(with: identity)
        return copy
    }
}
