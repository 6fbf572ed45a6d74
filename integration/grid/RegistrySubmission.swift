import Deployments
import Foundation
import RegistryProtocol
import SystemSupport
import ZmeshCrypto

#if canImport(Glibc)
import Glibc
#endif

/// A raw HTTP request to the grid's registry, made with curl from the LAN namespace: the exact body
/// bytes a test crafted, signed (or not) as `docs/registry.md` says, so a test can submit documents no
/// `zmesh` command would produce, and send a captured request again as it was.
public struct RegistryRequest: Sendable {
    public let method: String
    public let target: String
    public let body: [UInt8]
    public let headers: [(name: String, value: String)]

    /// `body` signed as `identity` now (a fresh nonce); unsigned when `identity` is nil.
    public init(method: String = "POST", target: String, body: [UInt8], signedBy identity: Identity?) {
        self.method = method
        self.target = target
        self.body = body
        headers =
            identity.map {
                RequestSigning.headers(identity: $0, method: method, target: target, body: body, timestamp: Int64(time(nil)))
            } ?? []
    }

    init(method: String, target: String, body: [UInt8], headers: [(name: String, value: String)]) {
        self.method = method
        self.target = target
        self.body = body
        self.headers = headers
    }

    /// The same request (same headers: timestamp, nonce, signature) with another body.
    public func withBody(_ body: [UInt8]) -> RegistryRequest {
        RegistryRequest(method: method, target: target, body: body, headers: headers)
    }
}

/// The registry's answer: HTTP status, the JSON error code and message (for refusals) and the body.
public struct RegistryAnswer: Sendable, CustomStringConvertible {
    public let status: Int
    public let body: String

    /// `error.code` of a refusal (`invalid_deployment`, …), or `status` of a success (`stored`, …).
    public var code: String? {
        guard let json = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any] else { return nil }
        if let error = json["error"] as? [String: Any] { return error["code"] as? String }
        return json["status"] as? String
    }

    public var description: String { "\(status) \(body)" }
}

extension Grid {
    /// Sends `request` to the registry with curl from the LAN namespace.
    public func send(_ request: RegistryRequest) throws(GridError) -> RegistryAnswer {
        let stamp = UInt32.random(in: 0...UInt32.max)
        let bodyPath = "\(directory)/request-\(stamp).json", answerPath = "\(directory)/answer-\(stamp).json"
        defer {
            unlink(bodyPath)
            unlink(answerPath)
        }
        do { try FileIO.writeFile(String(decoding: request.body, as: UTF8.self), to: bodyPath) } catch {
            throw GridError("write", bodyPath, error.description)
        }
        var argv = [
            GridEnvironment.path("curl"), "-s", "-m", "20", "-o", answerPath, "-w", "%{http_code}", "-X", request.method,
            "-H", "Content-Type: application/json",
        ]
        for header in request.headers { argv += ["-H", "\(header.name): \(header.value)"] }
        if request.method != "GET" { argv += ["--data-binary", "@\(bodyPath)"] }
        argv.append("\(registryURL)\(request.target)")
        let result = try runOnLAN(argv)
        guard let status = Int(result.standardOutput.trimmingCharacters(in: .whitespaces)), status > 0 else {
            throw GridError("send", "\(request.method) \(request.target)", result.description)
        }
        return RegistryAnswer(status: status, body: GridCommand.readText(answerPath))
    }

    /// `GET TARGET` on the registry (public endpoints); the body, or a ``GridError`` unless 200.
    public func registryGet(_ target: String) throws(GridError) -> String {
        let answer = try send(RegistryRequest(method: "GET", target: target, body: [], signedBy: nil))
        guard answer.status == 200 else { throw GridError("GET", target, answer.description) }
        return answer.body
    }
}

extension Deployer {
    /// The deployer's identity (its secret key, for signing documents and requests in tests).
    public func identity() throws -> Identity { try IdentityFile.load(from: identityPath) }

    /// Submits `document`'s exact bytes as this deployer (`POST /v1/deployments`, signed request).
    public func submit(document: String) throws -> RegistryAnswer {
        try grid.send(request(document: document))
    }

    /// The signed request that would submit `document`.
    public func request(document: String) throws -> RegistryRequest {
        RegistryRequest(target: "/v1/deployments", body: Array(document.utf8), signedBy: try identity())
    }

    /// The stored document of `network` at `version` (the owner is this deployer unless given).
    public func storedDocument(network: String, version: Int, owner: String? = nil) throws -> Deployment {
        let text = try grid.registryGet("/v1/deployments/\(owner ?? id)/\(network)/\(version)")
        return try Deployment(json: text)
    }

    /// The versions the registry stores for `network` (`GET /v1/deployments/{owner}/{network}`),
    /// as `version digest` lines.
    public func storedVersions(network: String, owner: String? = nil) throws -> [String] {
        let text = try grid.registryGet("/v1/deployments/\(owner ?? id)/\(network)")
        struct History: Decodable {
            struct Entry: Decodable {
                let version: Int
                let digest: String
            }
            let versions: [Entry]
        }
        return try JSONDecoder().decode(History.self, from: Data(text.utf8)).versions.map { "\($0.version) \($0.digest)" }
    }

    /// The proposals awaiting this deployer's signature (`GET /v1/proposals?signer=`): version, digest,
    /// signed weight, required weight.
    public func pendingProposals() throws -> [(version: Int, digest: String, signedWeight: Int, weightRequired: Int)] {
        let text = try grid.registryGet("/v1/proposals?signer=\(id)")
        struct List: Decodable {
            struct Entry: Decodable {
                let version: Int
                let digest: String
                let signed_weight: Int
                let weight_required: Int
            }
            let proposals: [Entry]
        }
        return try JSONDecoder().decode(List.self, from: Data(text.utf8)).proposals.map {
            ($0.version, $0.digest, $0.signed_weight, $0.weight_required)
        }
    }
}
