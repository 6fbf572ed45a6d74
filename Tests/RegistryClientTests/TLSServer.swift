import Foundation
import SystemSupport
import RegistryTestSupport

/// Finds executables on PATH.
enum Tools {
    static func locate(_ name: String) -> String? { SpawnedProcess.locate(name) }
}

/// A tiny HTTPS server on 127.0.0.1 (python3's http.server wrapped in ssl) with a throwaway self-signed
/// certificate made by the openssl CLI: every GET answers 200 with a fixed JSON body. The process and the
/// temporary folder are removed afterwards.
struct TLSServer {
    let port: Int
    let certificatePath: String

    static let script = #"""
        import http.server, os, ssl, sys
        cert, key, body = sys.argv[1], sys.argv[2], sys.argv[3].encode()
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            def log_message(self, *args):
                pass
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        with open(sys.argv[4] + ".tmp", "w") as f:
            f.write(str(server.server_address[1]))
        os.rename(sys.argv[4] + ".tmp", sys.argv[4])
        server.serve_forever()
        """#

    static func with(body: String, _ run: (TLSServer) async throws -> Void) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("zmesh-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let cert = folder.appendingPathComponent("cert.pem").path
        let key = folder.appendingPathComponent("key.pem").path

        guard let openssl = Tools.locate("openssl"), let python = Tools.locate("python3") else {
            throw TestFailure("openssl or python3 is missing")
        }
        let made = try SpawnedProcess.run(openssl, [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert,
        ])
        guard made.succeeded else { throw TestFailure("openssl req failed: \(made.outputText)") }

        // SpawnedProcess starts the child with default signal handling and in its own process group, which
        // is killed as a whole afterwards (the python3 on PATH may be a wrapper script).
        let portFile = folder.appendingPathComponent("port").path
        let server = try SpawnedProcess.spawn(
            executable: python, arguments: ["-c", script, cert, key, body, portFile],
            environment: SpawnedProcess.currentEnvironment())
        defer {
            kill(-server.id, SIGKILL)
            _ = try? server.waitForExit(timeout: .seconds(5))
        }
        var port: Int?
        // Generous: when the whole suite starts at once on two cores, python3 can take many seconds to start.
        let deadline = ContinuousClock.now + .seconds(60)
        while port == nil, ContinuousClock.now < deadline {
            if let text = try? String(contentsOfFile: portFile, encoding: .utf8) { port = Int(text) }
            if port == nil { try await Task.sleep(for: .milliseconds(50)) }
        }
        guard let port else { throw TestFailure("the TLS server did not report its port") }
        try await run(TLSServer(port: port, certificatePath: cert))
    }
}
