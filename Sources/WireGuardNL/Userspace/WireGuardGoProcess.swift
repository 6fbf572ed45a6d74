public import SystemSupport
public import ZmeshModel

#if canImport(Glibc)
import Glibc
#endif

/// A wireguard-go daemon serving one interface, started by us in a chosen network namespace.
///
/// The daemon's threads, and so its UDP sockets, live in the namespace it was started in (its
/// "birthplace", like a kernel WireGuard link's creating namespace); its TUN device can later be moved
/// elsewhere with ``moveInterface(to:)`` and the sockets stay behind: ciphertext on the public side,
/// cleartext only where the TUN is. Configure it with ``UserspaceBackend`` (``backend()``): its UAPI
/// socket is a filesystem path, the same from every network namespace.
///
/// Dropping the object leaves the daemon running (an agent restart adopts it); call ``stop()`` to end it.
/// Use from one thread at a time.
public final class WireGuardGoProcess {
    /// The interface the daemon serves: its TUN device and `<socketDirectory>/<name>.sock`.
    public let interface: InterfaceName
    /// The daemon's process id and binary.
    public let process: SpawnedProcess
    /// What it was started with.
    public let options: WireGuardGoOptions
    /// Where the daemon runs and its UDP sockets are: the namespace given to ``start(_:in:options:)``,
    /// or `/proc/PID/ns/net` when it was started in the caller's namespace.
    public let birthNamespace: NetworkNamespace
    /// Where the TUN device is now.
    public internal(set) var interfaceNamespace: NetworkNamespace
    /// Set once the daemon has exited and been reaped.
    public private(set) var exitStatus: ExitStatus?
    private let log: CapturedOutput

    private init(
        interface: InterfaceName, process: SpawnedProcess, options: WireGuardGoOptions, birthNamespace: NetworkNamespace,
        log: CapturedOutput
    ) {
        self.interface = interface
        self.process = process
        self.options = options
        self.birthNamespace = birthNamespace
        self.interfaceNamespace = birthNamespace
        self.log = log
    }

    /// Runs `wireguard-go -f NAME` (with `WG_PROCESS_FOREGROUND=1`) in `namespace` (the calling
    /// thread's when `nil`) and waits until it answers on its UAPI socket. The TUN device `NAME` is
    /// created down, in that namespace. The daemon has its own process group and writes to an
    /// unlinked file (never a pipe), so it outlives the caller; with
    /// ``WireGuardGoOptions/isolatesSocketDirectory`` it also has its own mount namespace.
    ///
    /// - Throws: ``WireGuardError/userspace(operation:interface:errno:detail:)`` when the binary is
    ///   missing, a daemon already serves `NAME`, or the daemon exits or stays silent (with its output).
    public static func start(
        _ name: InterfaceName, in namespace: NetworkNamespace? = nil, options: WireGuardGoOptions = WireGuardGoOptions()
    ) throws(WireGuardError) -> WireGuardGoProcess {
        let operation = "start wireguard-go for"
        guard let executable = options.resolvedExecutable() else {
            throw .userspace(
                operation: operation, interface: name, errno: ENOENT,
                detail: "\(options.executable ?? "wireguard-go") not found (PATH, /usr/bin/wireguard-go)")
        }
        let backend = UserspaceBackend(socketDirectory: options.socketDirectory, timeout: .seconds(1))
        if UAPISocket.probe(backend.socketPath(for: name)) == .live {
            throw .userspace(
                operation: operation, interface: name, errno: EEXIST,
                detail: "a daemon already answers on \(backend.socketPath(for: name))")
        }
        let log: CapturedOutput
        do { log = try CapturedOutput() } catch { throw .system(error) }
        var environment = SpawnedProcess.currentEnvironment().filter {
            !$0.hasPrefix("WG_") && !$0.hasPrefix("LOG_LEVEL=")
        }
        environment.append("WG_PROCESS_FOREGROUND=1")
        if let level = options.logLevel { environment.append("LOG_LEVEL=\(level)") }
        let spawnEnvironment = environment
        let logFD = log.fd
        let isolated = options.isolatedSocketDirectory
        let spawn: @Sendable () throws(SystemError) -> SpawnedProcess = { () throws(SystemError) in
            // Only ever on a dedicated thread (below): the mount namespace is the thread's, then the child's.
            if let isolated { try SocketDirectoryIsolation.enter(isolated) }
            return try SpawnedProcess.spawn(
                executable: executable, arguments: ["-f", name.rawValue], environment: spawnEnvironment, output: logFD)
        }
        let process: SpawnedProcess
        do {
            if let namespace {
                process = try namespace.run(spawn)
            } else if isolated != nil {
                process = try DedicatedThread.run(spawn)
            } else {
                process = try spawn()
            }
        } catch let error as SystemError {
            throw .system(error)
        } catch {
            throw .userspace(operation: operation, interface: name, errno: nil, detail: "\(error)")
        }
        let daemon = WireGuardGoProcess(
            interface: name, process: process, options: options,
            birthNamespace: namespace ?? NetworkNamespace(path: "/proc/\(process.id)/ns/net"), log: log)
        try daemon.waitUntilAnswering(backend)
        return daemon
    }

    /// Polls the socket until `get=1` succeeds; on exit or timeout, reports the daemon's output.
    private func waitUntilAnswering(_ backend: UserspaceBackend) throws(WireGuardError) {
        let deadline = ContinuousClock.now + options.startTimeout
        while true {
            if let status = try? process.reapIfExited() {
                exitStatus = status
                throw .userspace(
                    operation: "start wireguard-go for", interface: interface, errno: nil,
                    detail: "\(process) \(status)\(outputSuffix)")
            }
            if backend.hasSocket(for: interface), (try? backend.device(interface)) != nil { return }
            if ContinuousClock.now >= deadline {
                _ = try? stop()
                throw .userspace(
                    operation: "start wireguard-go for", interface: interface, errno: ETIMEDOUT,
                    detail: "\(process) did not answer on \(backend.socketPath(for: interface)) within \(options.startTimeout)\(outputSuffix)")
            }
            SpawnedProcess.sleep(.milliseconds(10))
        }
    }

    /// A UAPI client for this daemon's socket directory.
    public func backend(timeout: Duration = UserspaceBackend.defaultTimeout) -> UserspaceBackend {
        UserspaceBackend(socketDirectory: options.socketDirectory, timeout: timeout)
    }

    /// Whether the daemon is still running (reaps it if it has exited).
    public var isRunning: Bool {
        if exitStatus != nil { return false }
        if let status = try? process.reapIfExited() { exitStatus = status }
        return exitStatus == nil
    }

    /// The last 4 KiB the daemon wrote to its standard output and error (wireguard-go logs errors only,
    /// unless ``WireGuardGoOptions/logLevel`` asks for more; it never logs keys).
    public var output: String { log.tail(4096) }

    private var outputSuffix: String {
        let text = output.split(whereSeparator: \.isNewline).joined(separator: "\n")
        return text.allSatisfy(\.isWhitespace) ? "" : "; its output:\n\(text)"
    }

    /// Ends the daemon: `SIGTERM`, then `SIGKILL` after ``WireGuardGoOptions/stopTimeout``, and reaps it.
    /// Its TUN device disappears with it. Returns how it ended; calling again returns the same.
    @discardableResult
    public func stop() throws(WireGuardError) -> ExitStatus {
        if let exitStatus { return exitStatus }
        do throws(SystemError) {
            if let status = try process.reapIfExited() {
                exitStatus = status
                return status
            }
            try? process.signal(SIGTERM)
            if let status = try process.waitForExit(timeout: options.stopTimeout) {
                exitStatus = status
                return status
            }
            try? process.signal(SIGKILL)
            // SIGKILL cannot be caught or ignored: a blocking wait reaps the child for certain.
            var raw: Int32 = 0
            while waitpid(process.id, &raw, 0) == -1 {
                guard errno == EINTR else { throw SystemError("wait for", process.description, errno: errno) }
            }
            let status = ExitStatus(waitStatus: raw)
            exitStatus = status
            return status
        } catch {
            throw .system(error)
        }
    }
}
