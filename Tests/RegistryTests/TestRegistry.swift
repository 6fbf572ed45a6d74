import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import Registry
import RegistryProtocol
import RegistryTestSupport
import ServiceLifecycle
import ZmeshCrypto
import DeploymentTestSupport

/// The in-process registry, with the HTTP helpers of these tests.
typealias TestRegistry = InProcessRegistry

extension InProcessRegistry {
    /// The answer to one request: status and parsed JSON body (nil when the body is not a JSON object).
    struct Reply: Sendable {
        let status: Int
        let bytes: [UInt8]
        var headers: HTTPHeaders = [:]
        var json: [String: any Sendable]? {
            (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: any Sendable]
        }
        /// `error.code` of an error answer.
        var errorCode: String? { (json?["error"] as? [String: any Sendable])?["code"] as? String }
        /// `error.message` of an error answer.
        var errorMessage: String? { (json?["error"] as? [String: any Sendable])?["message"] as? String }
    }

    /// Sends a request; signs it as `signer` unless nil. `headers` override the signing headers (for tampering).
    func send(
        _ method: HTTPMethod, _ target: String, body: [UInt8] = [], signer: Identity? = nil,
        timestamp: Int64 = Int64(Date().timeIntervalSince1970), nonce: String = RequestSigning.randomNonce(),
        headers override: [(name: String, value: String)] = []
    ) async throws -> Reply {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(target)")
        request.method = method
        if !body.isEmpty {
            request.body = .bytes(ByteBuffer(bytes: body))
            request.headers.add(name: "Content-Type", value: "application/json")
        }
        if let signer {
            for header in RequestSigning.headers(
                identity: signer, method: method.rawValue, target: target, body: body, timestamp: timestamp, nonce: nonce)
            {
                request.headers.replaceOrAdd(name: header.name, value: header.value)
            }
        }
        for header in override { request.headers.replaceOrAdd(name: header.name, value: header.value) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        let buffer = try await response.body.collect(upTo: 16 << 20)
        return Reply(status: Int(response.status.code), bytes: Array(buffer.readableBytesView), headers: response.headers)
    }

    /// JSON text of an object with string members.
    static func object(_ members: [String: any Sendable]) -> [UInt8] {
        Array((try? JSONSerialization.data(withJSONObject: members, options: [.sortedKeys])) ?? Data())
    }

    /// Registers a twin (signed by itself); returns the status.
    @discardableResult
    func registerTwin(_ identity: Identity) async throws -> Int {
        let body = Self.object(["id": identity.id.rawValue, "public_key": identity.publicKey.base64])
        return try await send(.POST, "/v1/twins", body: body, signer: identity).status
    }

    /// The twin that owns the test farm.
    static let farmer = Fixtures.identity(30)

    /// Registers the farmer twin and its farm `name` (both idempotent); returns the farm id.
    func farm(_ name: String = "test-farm") async throws -> Int {
        try await registerTwin(Self.farmer)
        let reply = try await send(.POST, "/v1/farms", body: Self.object(["name": name]), signer: Self.farmer)
        guard reply.status == 200 || reply.status == 201, let id = (reply.json?["id"] as? NSNumber)?.intValue else {
            throw TestFailure("farm creation answered \(reply.status)")
        }
        return id
    }

    /// A node registration body.
    static func nodeBody(
        _ identity: Identity, farm: Int, publicIPs: [String] = ["203.0.113.9"], extra: [String: any Sendable] = [:]
    ) -> [UInt8] {
        var members: [String: any Sendable] = [
            "id": identity.id.rawValue, "farm": farm, "public_key": identity.publicKey.base64, "public_ips": publicIPs,
        ]
        members.merge(extra) { _, new in new }
        return object(members)
    }

    /// Registers a node (signed by itself) in `farm` (the test farm when nil); returns the status.
    @discardableResult
    func registerNode(_ identity: Identity, farm: Int? = nil, publicIPs: [String] = ["203.0.113.9"]) async throws
        -> Int
    {
        let farmID = if let farm { farm } else { try await self.farm() }
        let body = Self.nodeBody(identity, farm: farmID, publicIPs: publicIPs)
        return try await send(.POST, "/v1/nodes", body: body, signer: identity).status
    }

    /// Waits (up to 10 s) until `/metrics` shows `count` mailbox polls open.
    func waitForOpenPolls(_ count: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            let text = String(decoding: try await send(.GET, "/metrics").bytes, as: UTF8.self)
            if MetricsTests.value(text, "zmesh_registry_mailbox_long_polls_open") == Double(count) { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestFailure("\(count) polls did not open within 10 s")
    }

    /// Polls `node`'s mailbox (signed by the node).
    func poll(
        _ node: Identity, after: Int64 = 0, wait: Int = 0, timestamp: Int64 = Int64(Date().timeIntervalSince1970)
    ) async throws -> Reply {
        try await send(.GET, "/v1/nodes/\(node.id)/mailbox?after=\(after)&wait=\(wait)", signer: node, timestamp: timestamp)
    }
}

extension TestRegistry.Reply {
    /// The mailbox items of a poll answer.
    var items: [[String: any Sendable]] { (json?["items"] as? [[String: any Sendable]]) ?? [] }
    /// The cursor of a poll answer.
    var cursor: Int64 { (json?["cursor"] as? NSNumber)?.int64Value ?? -1 }
}
