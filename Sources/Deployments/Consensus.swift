public import ZmeshCrypto
import ZmeshModel

/// The outcome of checking a deployment's signatures against its signature requirement.
public struct SignatureReport: Sendable, Equatable {
    /// What the signatures cover.
    public let digest: BLAKE2bDigest
    /// The weight the requirement asks for.
    public let weightRequired: Int64
    /// The sum of the weights of the distinct requested twins whose signatures verified.
    public let signedWeight: Int64
    /// Requested twins with a valid signature, in request order.
    public let signers: [IdentityID]
    /// Required twins without a valid signature, in request order.
    public let missingRequired: [IdentityID]
    /// Everything that makes the deployment unacceptable; empty when it is valid.
    public let problems: [DeploymentProblem]
    /// Of ``problems``, how many say only that a required twin has not signed yet or that the signed
    /// weight is short.
    let shortfallCount: Int

    /// The requirement is sound and every signature present is valid, but more signatures are needed:
    /// the document can wait for co-owners (a *proposed* deployment) instead of being refused.
    public var isAwaitingSignatures: Bool { !problems.isEmpty && problems.count == shortfallCount }

    /// The requested twins that have not signed yet, in request order.
    public let awaiting: [IdentityID]

    /// Every required twin signed, every present signature verified and came from a requested twin,
    /// and the signed weight reaches the required weight.
    public var isValid: Bool { problems.isEmpty }
}

extension Deployment {
    /// Checks the signatures — weighted multisig:
    ///
    /// - every signature must be well-formed, carry the public key of the twin it names (the key must
    ///   hash to the twin's id), come from a twin listed in the requests, and verify over ``digest``;
    /// - several valid signatures from one twin count once;
    /// - every required twin must have signed;
    /// - the weights of the twins that signed must add up to at least `weight_required`.
    ///
    /// A requested twin that is not required and has not signed adds no weight and is no problem.
    /// The verdict and the weight do not depend on the order of the signatures.
    public func checkSignatures() -> SignatureReport {
        var problems = ProblemList()
        let requirementPath = DocumentPath.root[Key.signatureRequirement]
        let requests = signatureRequirement.check(owner: owner, at: requirementPath, into: &problems)
        let digest = self.digest
        var valid: Set<IdentityID> = []
        for (i, entry) in signatures.enumerated() {
            let path = DocumentPath.root[Key.signatures][i]
            guard let verified = entry.verify(digest: digest, requests: requests, at: path, into: &problems) else {
                continue
            }
            valid.insert(verified)
        }
        let ordered = requests.values.sorted { $0.index < $1.index }
        let signers = ordered.filter { valid.contains($0.twin) }
        let missing = ordered.filter { $0.required && !valid.contains($0.twin) }
        let shortfallBefore = problems.problems.count
        for request in missing {
            problems.add(requirementPath[Key.requests][request.index], "required twin \(request.twin) has not signed")
        }
        let weight = signers.reduce(Int64(0)) { $0 + $1.weight }
        if signatureRequirement.weightRequired >= 1, weight < signatureRequirement.weightRequired {
            problems.add(
                requirementPath[Key.weightRequired],
                "signed weight \(weight) is below the required \(signatureRequirement.weightRequired)")
        }
        // Only an otherwise clean report can be short of signatures alone.
        let shortfall = problems.problems.count - shortfallBefore
        return SignatureReport(
            digest: digest, weightRequired: signatureRequirement.weightRequired, signedWeight: weight,
            signers: signers.map(\.twin), missingRequired: missing.map(\.twin), problems: problems.problems,
            shortfallCount: shortfallBefore == 0 ? shortfall : 0,
            awaiting: ordered.filter { !valid.contains($0.twin) }.map(\.twin))
    }

    /// Checks the signatures and throws unless the deployment is validly signed.
    @discardableResult
    public func verifySignatures() throws(DeploymentError) -> SignatureReport {
        let report = checkSignatures()
        guard report.isValid else { throw DeploymentError(report.problems) }
        return report
    }
}

extension Deployment.Signature {
    /// The twin whose valid signature this is, or `nil` after recording why it is not.
    func verify(
        digest: BLAKE2bDigest, requests: [IdentityID: Deployment.SignatureRequirement.CheckedRequest],
        at path: DocumentPath, into problems: inout ProblemList
    ) -> IdentityID? {
        typealias Key = Deployment.Key
        let twinID = try? IdentityID(twin)
        let key = try? Ed25519PublicKey(publicKey)
        let signatureBytes = try? Ed25519Signature(signature)
        do { _ = try IdentityID(twin) } catch { problems.add(path[Key.twin], error.description) }
        do { _ = try Ed25519PublicKey(publicKey) } catch { problems.add(path[Key.publicKey], error.description) }
        do { _ = try Ed25519Signature(signature) } catch { problems.add(path[Key.signature], error.description) }
        guard let twinID, let key, let signatureBytes else { return nil }
        guard key.id == twinID else {
            problems.add(path[Key.publicKey], "is not the key of twin \(twinID): it is the key of \(key.id)")
            return nil
        }
        guard requests[twinID] != nil else {
            problems.add(path[Key.twin], "twin \(twinID) is not among the signature requests")
            return nil
        }
        guard key.isValidSignature(signatureBytes, for: digest.bytes) else {
            problems.add(
                path[Key.signature], "does not verify: it signs another version of the document, or it is damaged")
            return nil
        }
        return twinID
    }
}
