import Logging
import SystemSupport
import Synchronization
import WireGuardNL
import ZmeshModel

#if canImport(Glibc)
import Glibc
#endif

/// The wireguard-go daemons serving the agent's `w-<id>` links (userspace backend).
///
/// A daemon is started on the public side and outlives the agent (own process group, output to an
/// unlinked file, never a pipe: see `WireGuardGoProcess.start`). A restarted agent adopts the
/// daemons it finds: it knows them by their UAPI socket, and finds the process serving a socket from
/// the socket's peer credentials (`SO_PEERCRED`), whether or not it started it.
///
/// wireguard-go exits by itself within about 0.1 s when its TUN is deleted, so removing a network
/// needs no signal (the TUN is deleted before its namespace: the kernel destroys a namespace
/// asynchronously, and on a loaded node its TUN lived on for 5 s); the agent still waits for
/// the exit (so the UDP port is free for the next network), reaps its own children, and ends a daemon
/// that is still there after ``exitTimeout`` (its TUN kept alive by something else).
final class UserspaceDaemons: Sendable {
    let socketDirectory: String
    /// How long a daemon may take to exit by itself after its TUN is gone.
    let exitTimeout: Duration
    /// How long after `SIGTERM` before `SIGKILL`.
    let stopTimeout: Duration
    /// How long a daemon serving a name the agent is about to create again may take to exit by itself.
    let staleGrace: Duration = .milliseconds(250)
    private let logger: Logger
    /// The daemons this agent started, by interface (to reap them).
    private let children = Mutex<[InterfaceName: SpawnedProcess]>([:])

    init(socketDirectory: String, logger: Logger, exitTimeout: Duration = .seconds(5), stopTimeout: Duration = .seconds(3)) {
        self.socketDirectory = socketDirectory
        self.logger = logger
        self.exitTimeout = exitTimeout
        self.stopTimeout = stopTimeout
    }

    /// A socket directory other than wireguard-go's fixed one is bound over it in the daemon's own
    /// mount namespace.
    var options: WireGuardGoOptions {
        WireGuardGoOptions(socketDirectory: socketDirectory, isolatesSocketDirectory: true)
    }

    /// Starts wireguard-go for `name` in `namespace` (the public side); its TUN is created down.
    /// A daemon still answering for `name` serves a TUN the agent no longer sees (the plan creates
    /// `w-<id>` only when no namespace of the agent has it): it is ended first, after a short grace
    /// (``staleGrace``) — not the full ``exitTimeout``, since a TUN left in a deleted namespace that
    /// the kernel has not freed yet can keep its daemon alive for seconds.
    func start(_ name: InterfaceName, in namespace: NetworkNamespace?) throws(WireGuardError) -> SpawnedProcess {
        reapExited()
        if let stale = process(serving: name) {
            logger.warning(
                "a wireguard-go daemon still serves the interface; waiting for it to end",
                metadata: ["interface": "\(name)", "pid": "\(stale)"])
            finish([stale], of: name, exitTimeout: staleGrace)
        }
        let daemon = try WireGuardGoProcess.start(name, in: namespace, options: options)
        children.withLock { $0[name] = daemon.process }
        return daemon.process
    }

    /// The process serving `name` now: a child of ours still running, or the peer of its live socket.
    func process(serving name: InterfaceName) -> pid_t? {
        if let child = children.withLock({ $0[name] }), !Self.hasExited(child.id) { return child.id }
        return Self.peerProcess(of: UserspaceBackend(socketDirectory: socketDirectory).socketPath(for: name))
    }

    /// Waits until each of `pids` (serving `name`, whose TUN was just removed) has exited, reaping
    /// what can be reaped; ends those still there after ``exitTimeout``. Returns the ones that had to
    /// be ended.
    @discardableResult
    func finish(_ pids: [pid_t], of name: InterfaceName, exitTimeout: Duration? = nil) -> [pid_t] {
        var forced: [pid_t] = []
        for pid in pids {
            if Self.wait(for: pid, timeout: exitTimeout ?? self.exitTimeout) { continue }
            forced.append(pid)
            logger.warning(
                "wireguard-go did not exit after its interface went; stopping it",
                metadata: ["interface": "\(name)", "pid": "\(pid)"])
            kill(pid, SIGTERM)
            if Self.wait(for: pid, timeout: stopTimeout) { continue }
            kill(pid, SIGKILL)
            _ = Self.wait(for: pid, timeout: stopTimeout)
        }
        children.withLock { table in
            if let child = table[name], pids.contains(child.id) { table[name] = nil }
        }
        return forced
    }

    /// Ends every daemon this agent started that still runs (teardown).
    func stopChildren() {
        let running = children.withLock { $0 }
        for (name, child) in running.sorted(by: { $0.key < $1.key }) where !Self.hasExited(child.id) {
            kill(child.id, SIGTERM)
            finish([child.id], of: name)
        }
        reapExited()
    }

    /// Reaps the children that exited (their TUN deleted behind the agent's back).
    func reapExited() {
        children.withLock { table in
            for (name, child) in table where Self.hasExited(child.id) { table[name] = nil }
        }
    }

    // MARK: - Processes

    /// Whether `pid` is gone: reaped now if it is a child of this process, or absent or a zombie
    /// otherwise (someone else's child: its parent reaps it).
    static func hasExited(_ pid: pid_t) -> Bool {
        var status: Int32 = 0
        let reaped = waitpid(pid, &status, WNOHANG)
        if reaped == pid { return true }
        if reaped == 0 { return false }
        guard let bytes = try? FileIO.readFile("/proc/\(pid)/stat", limit: 4096) else { return true }
        // "PID (COMM) STATE …": the state follows the last ')'.
        guard let close = bytes.lastIndex(of: UInt8(ascii: ")")), close + 2 < bytes.count else { return true }
        let state = bytes[close + 2]
        return state == UInt8(ascii: "Z") || state == UInt8(ascii: "X")
    }

    static func wait(for pid: pid_t, timeout: Duration) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while true {
            if hasExited(pid) { return true }
            if ContinuousClock.now >= deadline { return false }
            SpawnedProcess.sleep(.milliseconds(10))
        }
    }

    private struct PeerCredentials {
        var pid: pid_t = 0
        var uid: uid_t = 0
        var gid: gid_t = 0
    }

    /// The process listening on the Unix socket `path` (`SO_PEERCRED` of a connection), or `nil`
    /// when nothing listens there.
    static func peerProcess(of path: String) -> pid_t? {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard bytes.count < capacity else { return nil }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard connected == 0 else { return nil }
        var credentials = PeerCredentials()
        var length = socklen_t(MemoryLayout<PeerCredentials>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &length) == 0, credentials.pid > 0 else {
            return nil
        }
        return credentials.pid
    }
}
