import Deployments
import ZmeshCrypto

/// The human summary `zmesh deployment verify` and `sign` print.
enum DeploymentReport {
    /// Network, owner, version, digest and the state of every signature request.
    static func summary(_ deployment: Deployment, _ report: SignatureReport) -> String {
        var out = ""
        let networkID = (try? IdentityID(deployment.owner)).flatMap { owner in
            (try? NetworkName(deployment.network.name)).map { NetworkID(owner: owner, name: $0) }
        }
        out += "network:    \(deployment.network.name)"
        if let networkID { out += " (id \(networkID))" }
        out += "\n"
        out += "owner:      \(deployment.owner)\n"
        out += "version:    \(deployment.version)\n"
        out += "nodes:      \(deployment.nodes.count)\n"
        out += "digest:     \(report.digest) (BLAKE2b-256)\n"
        out +=
            "signatures: weight \(report.signedWeight) of \(deployment.signatureRequirement.weightRequired) required\n"
        let signers = Set(report.signers.map(\.rawValue))
        for request in deployment.signatureRequirement.requests {
            let state = signers.contains(request.twin) ? "signed    " : "not signed"
            out += "  \(state)  \(request.twin)  weight \(request.weight)\(request.required ? ", required" : "")\n"
        }
        return out
    }

    /// One `error: …` line per problem.
    static func problems(_ problems: [DeploymentProblem]) -> String {
        problems.map { "error: \($0)\n" }.joined()
    }
}
