import DeploymentTestSupport
import Deployments
import Logging
import RegistryClient
import Testing
import ZmeshCrypto
import ZmeshModel
import RegistryTestSupport

/// Clients, enrolment and timing helpers shared by the suites.
enum ClientFixtures {
    /// Quick retries, so failure tests end fast.
    static let quickRetry = RetryPolicy(attempts: 3, baseDelay: .milliseconds(20), maximumDelay: .milliseconds(100))

    static var logger: Logger {
        var logger = Logger(label: "registry-client-test")
        logger.logLevel = .error
        return logger
    }

    /// A client of `url` signing as `identity`.
    static func client(
        _ url: RegistryURL, as identity: Identity?, retry: RetryPolicy = quickRetry,
        configure: (inout RegistryClientConfiguration) -> Void = { _ in }
    ) throws -> RegistryClient {
        var configuration = RegistryClientConfiguration(connectTimeout: .seconds(5), requestTimeout: .seconds(20), retry: retry)
        configure(&configuration)
        return try RegistryClient(url: url, identity: identity, configuration: configuration, logger: logger)
    }

    /// The farm owner of the tests.
    static let farmer = Fixtures.identity(40)

    /// Registers alice, bob and the farmer as twins, the farmer's farm, and nodes 1–3 (node 3 hidden).
    /// Returns the farm id.
    @discardableResult
    static func enrol(_ url: RegistryURL) async throws -> UInt32 {
        for twin in [Fixtures.alice, Fixtures.bob, farmer] { _ = try await client(url, as: twin).registerTwin() }
        let farm = try await client(url, as: farmer).createFarm(name: "client-test").record.id
        let addresses: [[IPAddress]] = [
            [try IPAddress("203.0.113.1"), try IPAddress("2001:db8::1")], [try IPAddress("203.0.113.2")], [],
        ]
        for (node, publicIPs) in zip([Fixtures.node1, Fixtures.node2, Fixtures.node3], addresses) {
            _ = try await client(url, as: node).registerNode(farm: farm, publicIPs: publicIPs)
        }
        return farm
    }

    /// The sample deployment (signed by alice and bob) as compact JSON bytes.
    static func document(version: UInt64 = 0) -> [UInt8] {
        Array(Fixtures.signedDeployment(version: version).json(pretty: false).utf8)
    }

    /// A metric's value from the registry's `GET /metrics` (the first sample of that name).
    static func metric(_ name: String, _ url: RegistryURL) async throws -> Int {
        let transport = try HTTPTransport(logger: logger)
        let response = try await transport.perform(HTTPRequest(method: .get, url: "\(url)/metrics"))
        let text = String(decoding: response.body, as: UTF8.self)
        for line in text.split(separator: "\n") where line.hasPrefix(name) {
            if let value = line.split(separator: " ").last.flatMap({ Double($0) }) { return Int(value) }
        }
        throw TestFailure("no \(name) in /metrics")
    }

    /// Seconds elapsed while running `body`.
    static func timed<T>(_ body: () async throws -> T) async rethrows -> (T, Duration) {
        let start = ContinuousClock.now
        let value = try await body()
        return (value, ContinuousClock.now - start)
    }
}

/// The client's mailbox item, named apart from the Registry module's own `MailboxItem` (the module
/// `RegistryClient` cannot qualify it: its class of the same name shadows the module).
typealias ClientMailboxItem = MailboxItem
