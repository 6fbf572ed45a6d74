import SystemSupport

#if canImport(Glibc)
import Glibc
#endif

/// A `zmesh node` process for a benchmark, started inside a namespace, its log in a file.
final class AgentChild {
    let process: SpawnedProcess
    private let logPath: String
    private var exit: ExitStatus?

    init(zmesh: String, namespace: NetworkNamespace, logPath: String, arguments: [String]) throws {
        self.logPath = logPath
        let fd = open(logPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw CommandError("cannot create \(logPath): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var environment = SpawnedProcess.currentEnvironment().filter { !$0.hasPrefix("ZMESH_LOG_LEVEL=") }
        environment.append("ZMESH_LOG_LEVEL=info")
        let frozen = environment
        process = try namespace.run { () throws(SystemError) -> SpawnedProcess in
            try SpawnedProcess.spawn(executable: zmesh, arguments: arguments, environment: frozen, output: fd)
        }
    }

    var isRunning: Bool {
        if exit == nil, let status = try? process.reapIfExited() { exit = status }
        return exit == nil
    }

    /// SIGTERM (the agent leaves its networks running), SIGKILL after 10 s.
    func stop() {
        guard isRunning else { return }
        process.terminate(grace: .seconds(10))
        exit = .signalled(SIGTERM)
    }

    /// `zmesh node --teardown` in the same namespace with the same prefix: removes what the agent made.
    func teardown(zmesh: String, namespace: NetworkNamespace, prefix: String) {
        _ = try? namespace.run { () throws(SystemError) -> Bool in
            try SpawnedProcess.run(
                zmesh, ["node", "--teardown", "--backend", "userspace", "--namespace-prefix", prefix]
            ).succeeded
        }
    }

    /// An error carrying the end of the agent's log.
    func failure(_ what: String) -> CommandError {
        let log = (try? FileIO.readFile(logPath, limit: 1 << 20)).map { String(decoding: $0.suffix(3000), as: UTF8.self) }
        return CommandError("the node agent \(what)\n--- agent log (end) ---\n\(log ?? "(unreadable)")")
    }
}
