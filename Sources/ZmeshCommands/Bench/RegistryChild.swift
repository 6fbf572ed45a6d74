import SystemSupport

#if canImport(Glibc)
import Glibc
#endif

/// A `zmesh registry` process for a benchmark: on 127.0.0.1 (of `namespace`, or of the caller's) with a
/// free port, over a database in a fresh temporary directory; `stop()` ends it and deletes the directory.
final class RegistryChild {
    let process: SpawnedProcess
    /// `http://127.0.0.1:PORT`.
    let url: String
    private let directory: String
    private let log: Int32

    init(zmesh: String, extraArguments: [String] = [], namespace: NetworkNamespace? = nil) throws {
        var template = Array("/tmp/zmesh-bench-registry-XXXXXX".utf8CString)
        let created = template.withUnsafeMutableBufferPointer { $0.baseAddress.flatMap { mkdtemp($0) } != nil }
        guard created else { throw CommandError("cannot create a directory in /tmp: \(String(cString: strerror(errno)))") }
        directory = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        log = try Descriptors.unlinkedTemporaryFile(prefix: "zmesh-bench-registry-log")
        var environment = SpawnedProcess.currentEnvironment().filter { !$0.hasPrefix("ZMESH_LOG_LEVEL=") }
        environment.append("ZMESH_LOG_LEVEL=notice")
        let (arguments, frozen, output) = (
            ["registry", "--listen", "127.0.0.1:0", "--db", "\(directory)/registry.sqlite"] + extraArguments, environment, log
        )
        let spawn = { @Sendable () throws(SystemError) -> SpawnedProcess in
            try SpawnedProcess.spawn(executable: zmesh, arguments: arguments, environment: frozen, output: output)
        }
        process = try namespace.map { try $0.run(spawn) } ?? spawn()
        var port: String?
        for _ in 0..<600 where port == nil {
            port = Self.port(in: Self.contents(of: log))
            if port == nil { SpawnedProcess.sleep(.milliseconds(50)) }
        }
        guard let port else {
            Self.stop(process)
            throw CommandError("the registry did not start: \(Self.contents(of: log))")
        }
        url = "http://127.0.0.1:\(port)"
    }

    /// The registry's peak resident memory (VmHWM), in KiB.
    func peakResidentKiB() -> Int? {
        guard let bytes = try? FileIO.readFile("/proc/\(process.id)/status", limit: 1 << 16) else { return nil }
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") where line.hasPrefix("VmHWM:") {
            return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        }
        return nil
    }

    func stop() {
        stopProcess()
        close(log)
        for suffix in ["", "-wal", "-shm"] { unlink("\(directory)/registry.sqlite\(suffix)") }
        rmdir(directory)
    }

    private func stopProcess() { Self.stop(process) }

    private static func stop(_ process: SpawnedProcess) { process.terminate(grace: .seconds(10)) }

    private static func contents(of fd: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        let count = pread(fd, &buffer, buffer.count, 0)
        return count > 0 ? String(decoding: buffer[0..<count], as: UTF8.self) : ""
    }

    /// The port in the registry's "listening" log line (`port=N`).
    private static func port(in log: String) -> String? {
        for word in log.split(whereSeparator: { $0 == " " || $0 == "\n" }) where word.hasPrefix("port=") {
            let digits = word.dropFirst(5).prefix { $0.isNumber }
            if !digits.isEmpty { return String(digits) }
        }
        return nil
    }
}
