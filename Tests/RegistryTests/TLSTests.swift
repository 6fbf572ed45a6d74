import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL
import Registry
import Testing
import RegistryTestSupport

/// `--tls-cert`/`--tls-key`: HTTPS with a throwaway self-signed certificate made by the openssl CLI.
@Suite struct TLSTests {
    static let openssl = ["/usr/bin/openssl", "/usr/local/bin/openssl"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// A self-signed P-256 certificate for 127.0.0.1, valid for a day, in a new temporary folder.
    static func makeCertificate() throws -> (folder: URL, certificate: String, key: String) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("zmesh-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let certificate = folder.appendingPathComponent("cert.pem").path
        let key = folder.appendingPathComponent("key.pem").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(openssl))
        process.arguments = [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", certificate,
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw TestFailure("openssl req exited \(process.terminationStatus)") }
        return (folder, certificate, key)
    }

    @Test(.enabled(if: openssl != nil, "openssl CLI not found: install Debian's openssl (scripts/install-deps.sh does)"))
    func httpsWorksWithTheTrustedCertificateAndPlainHTTPDoesNot() async throws {
        let (folder, certificate, key) = try Self.makeCertificate()
        defer { try? FileManager.default.removeItem(at: folder) }
        try await TestRegistry.with(configure: {
            $0.tlsCertificatePath = certificate
            $0.tlsKeyPath = key
        }) { registry in
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(certificate))
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(tlsConfiguration: tls))
            do {
                let response = try await client.execute(
                    HTTPClientRequest(url: "https://127.0.0.1:\(registry.port)/v1/farms/1"), timeout: .seconds(10))
                #expect(response.status == .notFound)
                let body = String(buffer: try await response.body.collect(upTo: 1 << 16))
                #expect(body.contains("unknown_farm"))

                // Plain HTTP to the TLS port gets no HTTP answer.
                await #expect(throws: (any Error).self) {
                    let plain = try await HTTPClient.shared.execute(
                        HTTPClientRequest(url: "http://127.0.0.1:\(registry.port)/v1/farms/1"), timeout: .seconds(2))
                    _ = try await plain.body.collect(upTo: 1 << 16)
                }
                // A client that does not trust the certificate refuses the connection (AsyncHTTPClient retries a
                // failed handshake until its connect timeout: keep that short).
                var untrusting = HTTPClient.Configuration()
                untrusting.timeout = .init(connect: .seconds(1))
                let stranger = HTTPClient(eventLoopGroupProvider: .singleton, configuration: untrusting)
                await #expect(throws: (any Error).self) {
                    _ = try await stranger.execute(
                        HTTPClientRequest(url: "https://127.0.0.1:\(registry.port)/v1/farms/1"), timeout: .seconds(3))
                }
                try await stranger.shutdown()
            } catch {
                try? await client.shutdown()
                throw error
            }
            try await client.shutdown()
        }
    }
}
