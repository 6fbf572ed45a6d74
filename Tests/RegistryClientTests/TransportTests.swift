import DeploymentTestSupport
import Foundation
import Registry
import RegistryClient
import Testing
import ZmeshCrypto
import RegistryTestSupport

/// Transport failures, retries and TLS trust.
@Suite struct TransportTests {
    /// A loopback port nothing listens on: bound once to get a free number, then closed.
    static func closedPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                bind(fd, raw, length) == 0 && getsockname(fd, raw, &length) == 0
            }
        }
        guard bound else { throw TestFailure("bind failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    @Test func connectionRefusedGivesUpAfterTheConfiguredAttempts() async throws {
        let port = try Self.closedPort()
        let url = try RegistryURL("http://127.0.0.1:\(port)")
        let policy = RetryPolicy(attempts: 4, baseDelay: .milliseconds(50), maximumDelay: .milliseconds(100))
        let client = try ClientFixtures.client(url, as: nil, retry: policy)
        let (result, elapsed) = await ClientFixtures.timed { () async -> Result<Twin, RegistryClientError> in
            do throws(RegistryClientError) { return .success(try await client.twin(Fixtures.alice.id)) } catch { return .failure(error) }
        }
        guard case .failure(.transport(let operation, let address, let code, let message)) = result else {
            Issue.record("expected a transport error, got \(result)")
            return
        }
        #expect(operation == "read twin \(Fixtures.alice.id)")
        #expect(address == "http://127.0.0.1:\(port)/v1/twins/\(Fixtures.alice.id)")
        #expect(code == 7)  // CURLE_COULDNT_CONNECT
        #expect(message.hasSuffix("gave up after 4 attempts"))
        print("measured: 4 refused connections with 3 jittered waits (ceilings 50, 100, 100 ms): \(elapsed)")
    }

    @Test func aRefusalIsNotRetried() async throws {
        try await LocalRegistry.with { registry in
            let client = try ClientFixtures.client(
                try registry.url, as: nil, retry: RetryPolicy(attempts: 5, baseDelay: .seconds(2), maximumDelay: .seconds(2)))
            let (result, elapsed) = await ClientFixtures.timed { () async -> RegistryClientError? in
                do throws(RegistryClientError) {
                    _ = try await client.twin(Fixtures.alice.id)
                    return nil
                } catch { return error }
            }
            #expect(result?.code == "unknown_twin")
            // The registry answered exactly one request: the refusal was not retried.
            let answered = #"zmesh_registry_http_requests_total{method="GET",route="/v1/twins/{id}",status="404"}"#
            #expect(try await ClientFixtures.metric(answered, try registry.url) == 1)
            print("measured: a refused request: \(elapsed)")
        }
    }

    @Test func rateLimitedRequestsWaitForRetryAfter() async throws {
        try await LocalRegistry.with(configure: { configuration in
            // A token every 2 s: the second call finds the bucket empty even on a slow machine.
            configuration.rateLimitPerSecond = 0.5
            configuration.rateBurst = 1
        }) { registry in
            let alice = try ClientFixtures.client(
                try registry.url, as: Fixtures.alice,
                retry: RetryPolicy(attempts: 3, baseDelay: .milliseconds(1), maximumDelay: .milliseconds(1)))
            _ = try await alice.registerTwin()
            // The bucket is empty: 429 with Retry-After of 1 or 2 s, then success.
            let (again, elapsed) = try await ClientFixtures.timed { try await alice.registerTwin() }
            #expect(again.isNew == false)
            #expect(elapsed >= .milliseconds(900), "Retry-After was not honoured: \(elapsed)")
        }
    }

    // MARK: TLS

    static let tlsToolsMissing: String? = {
        for tool in ["openssl", "python3"] where Tools.locate(tool) == nil { return tool }
        return nil
    }()

    @Test(.enabled(if: tlsToolsMissing == nil, "TLS test skipped: the openssl CLI or python3 is not installed"))
    func tlsNeedsTheCAFileToTrustASelfSignedRegistry() async throws {
        try await TLSServer.with(body: Self.twinAnswer) { server in
            let url = try RegistryURL("https://127.0.0.1:\(server.port)")

            let untrusting = try ClientFixtures.client(url, as: nil, retry: ClientFixtures.quickRetry)
            let refused = await #expect(throws: RegistryClientError.self) { _ = try await untrusting.twin(Fixtures.alice.id) }
            guard case .transport(_, _, let code, let message) = refused else {
                Issue.record("expected a transport error, got \(String(describing: refused))")
                return
            }
            #expect(code == 60)  // CURLE_PEER_FAILED_VERIFICATION
            #expect(!message.contains("gave up"), "a verification failure was retried")

            let trusting = try ClientFixtures.client(url, as: nil) { $0.caFile = server.certificatePath }
            let twin = try await trusting.twin(Fixtures.alice.id)
            #expect(twin.id == Fixtures.alice.id)
            #expect(twin.publicKey == Fixtures.alice.publicKey)
        }
    }

    @Test(.enabled(if: tlsToolsMissing == nil, "skipped: the openssl CLI or python3 is not installed"))
    func aKeyThatIsNotTheIdentitysIsRefused() async throws {
        // A lying registry: bob's id with alice's key.
        let lie = #"{"id": "\#(Fixtures.bob.id)", "public_key": "\#(Fixtures.alice.publicKey.base64)", "registered_at": 1}"#
        try await TLSServer.with(body: lie) { server in
            let url = try RegistryURL("https://127.0.0.1:\(server.port)")
            let client = try ClientFixtures.client(url, as: nil) { $0.caFile = server.certificatePath }
            let error = await #expect(throws: RegistryClientError.self) { _ = try await client.twin(Fixtures.bob.id) }
            guard case .malformedResponse(_, _, 200, let reason) = error else {
                Issue.record("expected malformedResponse, got \(String(describing: error))")
                return
            }
            #expect(reason.hasPrefix("public_key: \(Fixtures.alice.publicKey.base64) is not the key of \(Fixtures.bob.id)"))
        }
    }

    @Test func anUnreadableCAFileIsRefusedAtConstruction() throws {
        #expect {
            try ClientFixtures.client(try RegistryURL("https://127.0.0.1:1"), as: nil) { $0.caFile = "/nonexistent/ca.pem" }
        } throws: { error in
            guard case .invalidArgument(_, "/nonexistent/ca.pem", _) = error as? RegistryClientError else { return false }
            return true
        }
    }

    static var twinAnswer: String {
        #"{"id": "\#(Fixtures.alice.id)", "public_key": "\#(Fixtures.alice.publicKey.base64)", "registered_at": 1}"#
    }
}
