import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Real TCP traffic between test namespaces, with python3 on both ends: a listener that reports
/// who connected (address as seen after any NAT, and the negotiated MSS), and a client that says
/// whether it got through. Only addresses inside namespaces the test made are ever used.
public enum TCPProbe {
    /// What the listener saw.
    public struct Accepted: Decodable, Equatable, CustomStringConvertible {
        public let peer: String
        public let mss: Int
        public var description: String { "\(peer) (mss \(mss))" }
    }

    /// A listener running in a namespace until it accepts one connection or times out.
    public final class Listener {
        private let process: Process
        private let output: Pipe

        init(process: Process, output: Pipe) {
            self.process = process
            self.output = output
        }

        /// Waits for the listener to finish and returns the connection it accepted, `nil` when
        /// nobody got through before its timeout.
        public func result() -> Accepted? {
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            let lines = String(decoding: data, as: UTF8.self).split(separator: "\n")
            guard let last = lines.last else { return nil }
            return try? JSONDecoder().decode(Accepted.self, from: Data(last.utf8))
        }

        /// Stops it (when the test already knows nobody will connect). SIGKILL: the child may have
        /// inherited a blocked SIGTERM from the test runner.
        public func stop() {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }

        deinit { stop() }
    }

    /// How a connection attempt ended.
    public enum Outcome: Equatable, CustomStringConvertible {
        case connected
        /// No answer before the timeout: dropped on the way.
        case timedOut
        /// Refused (RST) or unreachable (ICMP): rejected, not silently dropped.
        case failed(String)

        public var description: String {
            switch self {
            case .connected: "connected"
            case .timedOut: "timed out"
            case .failed(let reason): "failed: \(reason)"
            }
        }
    }

    private static let listenerScript = """
        import json, socket, sys
        address, port, timeout = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
        s = socket.socket(socket.AF_INET6 if ":" in address else socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((address, port))
        s.listen(8)
        s.settimeout(timeout)
        print("listening", flush=True)
        try:
            c, peer = s.accept()
            print(json.dumps({"peer": peer[0], "mss": c.getsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG)}), flush=True)
            c.sendall(b"ok")
            c.close()
        except socket.timeout:
            print("{}", flush=True)
        """

    private static let clientScript = """
        import socket, sys
        address, port, timeout = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
        source = (sys.argv[4], 0) if len(sys.argv) > 4 else None
        try:
            c = socket.create_connection((address, port), timeout=timeout, source_address=source)
            c.recv(2)
            print("connected")
        except socket.timeout:
            print("timeout")
        except OSError as e:
            print("failed " + (e.strerror or str(e)))
        """

    /// Starts a listener on `address:port` inside `namespace`; returns once it is listening.
    public static func listen(in namespace: String, address: String, port: Int, timeout: Double = 8) throws -> Listener {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try locateIP())
        process.arguments = [
            "netns", "exec", namespace, NetworkTestEnvironment.python, "-c", listenerScript, address, String(port),
            String(timeout),
        ]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // The first line says it is bound and listening.
        var seen = Data()
        while !String(decoding: seen, as: UTF8.self).contains("\n") {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            seen += chunk
        }
        guard String(decoding: seen, as: UTF8.self).hasPrefix("listening") else {
            process.waitUntilExit()
            throw ShellCommand.Failure(
                command: ["python3 listener", namespace, address, String(port)], status: process.terminationStatus,
                output: String(decoding: seen, as: UTF8.self), errorOutput: "listener did not start")
        }
        return Listener(process: process, output: output)
    }

    /// Connects from `namespace` to `address:port` (optionally from `source`).
    public static func connect(
        from namespace: String, to address: String, port: Int, source: String? = nil, timeout: Double = 1.5
    ) throws -> Outcome {
        var arguments = [
            "ip", "netns", "exec", namespace, NetworkTestEnvironment.python, "-c", clientScript, address, String(port),
            String(timeout),
        ]
        if let source { arguments.append(source) }
        let line = try ShellCommand.run(arguments).trimmingCharacters(in: .whitespacesAndNewlines)
        if line == "connected" { return .connected }
        if line == "timeout" { return .timedOut }
        return .failed(String(line.dropFirst("failed ".count)))
    }

    private static func locateIP() throws -> String {
        guard let ip = ShellCommand.locate("ip") else {
            throw ShellCommand.Failure(command: ["ip"], status: 127, output: "", errorOutput: "not found")
        }
        return ip
    }
}
