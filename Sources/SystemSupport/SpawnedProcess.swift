import CZmeshShims

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// How a child process ended.
public enum ExitStatus: Sendable, Equatable, CustomStringConvertible {
    /// `exit(code)`.
    case exited(Int32)
    /// Killed by a signal.
    case signalled(Int32)

    /// Decodes a `waitpid` status word (the `WIFEXITED`/`WTERMSIG` macros are not imported into Swift).
    public init(waitStatus status: Int32) {
        let signal = status & 0x7f
        self = signal == 0 ? .exited((status >> 8) & 0xff) : .signalled(signal)
    }

    public var description: String {
        switch self {
        case .exited(let code): return "exited with status \(code)"
        case .signalled(let signal): return "killed by signal \(signal)"
        }
    }
}

/// A child process started with `posix_spawn` from the calling thread.
///
/// The child inherits the calling thread's network namespace, so spawning from inside
/// ``NetworkNamespace/run(_:)`` starts it in that namespace. It gets `/dev/null` as standard input,
/// the given descriptor (or `/dev/null`) as standard output and error, no other descriptor, an empty
/// signal mask and default signal dispositions, and by default its own process group (a Ctrl-C meant
/// for the parent does not reach it). Nothing reaps it implicitly: call ``reapIfExited()`` or
/// ``waitForExit(timeout:)`` until it reports a status.
public struct SpawnedProcess: Sendable, Hashable, CustomStringConvertible {
    /// The process id.
    public let id: pid_t
    /// The path it was started from.
    public let executable: String

    public init(id: pid_t, executable: String) {
        self.id = id
        self.executable = executable
    }

    public var description: String { "\(executable) (pid \(id))" }

    /// Starts `executable` (an absolute path; no PATH search) with `arguments` (not including argv[0])
    /// and exactly `environment` (`NAME=value` strings).
    public static func spawn(
        executable: String, arguments: [String], environment: [String], output: Int32? = nil,
        newProcessGroup: Bool = true
    ) throws(SystemError) -> SpawnedProcess {
        var actions = posix_spawn_file_actions_t()
        var rc = posix_spawn_file_actions_init(&actions)
        guard rc == 0 else { throw SystemError("prepare to spawn", executable, errno: rc) }
        defer { posix_spawn_file_actions_destroy(&actions) }
        var attributes = posix_spawnattr_t()
        rc = posix_spawnattr_init(&attributes)
        guard rc == 0 else { throw SystemError("prepare to spawn", executable, errno: rc) }
        defer { posix_spawnattr_destroy(&attributes) }

        rc = posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        if let output {
            if rc == 0 { rc = posix_spawn_file_actions_adddup2(&actions, output, 1) }
            if rc == 0 { rc = posix_spawn_file_actions_adddup2(&actions, output, 2) }
        } else {
            if rc == 0 { rc = posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0) }
            if rc == 0 { rc = posix_spawn_file_actions_adddup2(&actions, 1, 2) }
        }
        guard rc == 0 else { throw SystemError("prepare to spawn", executable, errno: rc) }
        // Best effort: without it (glibc < 2.34) descriptors opened without O_CLOEXEC leak into the child.
        _ = zmesh_spawn_file_actions_addclosefrom(&actions, 3)

        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        sigdelset(&allSignals, SIGKILL)
        sigdelset(&allSignals, SIGSTOP)
        var flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF
        if newProcessGroup { flags |= POSIX_SPAWN_SETPGROUP }
        rc = posix_spawnattr_setsigmask(&attributes, &emptyMask)
        if rc == 0 { rc = posix_spawnattr_setsigdefault(&attributes, &allSignals) }
        if rc == 0 { rc = posix_spawnattr_setpgroup(&attributes, 0) }
        if rc == 0 { rc = posix_spawnattr_setflags(&attributes, Int16(flags)) }
        guard rc == 0 else { throw SystemError("prepare to spawn", executable, errno: rc) }

        let argv = CStringArray([executable] + arguments)
        let envp = CStringArray(environment)
        defer {
            argv.release()
            envp.release()
        }
        var pid: pid_t = 0
        rc = posix_spawn(&pid, executable, &actions, &attributes, argv.pointers, envp.pointers)
        guard rc == 0 else { throw SystemError("spawn", executable, errno: rc) }
        return SpawnedProcess(id: pid, executable: executable)
    }

    /// This process's environment as `NAME=value` strings.
    public static func currentEnvironment() -> [String] {
        var result: [String] = []
        let start: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = environ
        guard var entry = start else { return result }
        while let string = entry.pointee {
            result.append(String(cString: string))
            entry += 1
        }
        return result
    }

    /// Sends `signal`.
    public func signal(_ signal: Int32) throws(SystemError) {
        try systemCall("signal", description) { kill(id, signal) }
    }

    /// Reaps the child if it has exited (`waitpid` with `WNOHANG`); `nil` while it runs.
    public func reapIfExited() throws(SystemError) -> ExitStatus? {
        var status: Int32 = 0
        let reaped = try systemCall("wait for", description) { waitpid(id, &status, WNOHANG) }
        return reaped == 0 ? nil : ExitStatus(waitStatus: status)
    }

    /// Polls until the child exits (and reaps it) or `timeout` passes (`nil`).
    public func waitForExit(timeout: Duration, pollInterval: Duration = .milliseconds(10)) throws(SystemError)
        -> ExitStatus?
    {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let status = try reapIfExited() { return status }
            if ContinuousClock.now >= deadline { return nil }
            SpawnedProcess.sleep(pollInterval)
        }
    }

    /// Blocks the calling thread (never use from a Swift-concurrency task that must not block).
    public static func sleep(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
        var remaining = timespec()
        while nanosleep(&request, &remaining) == -1 && errno == EINTR { request = remaining }
    }
}

/// A NULL-terminated `char *[]` for `posix_spawn`, owning copies of the strings.
private struct CStringArray {
    let pointers: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>

    init(_ strings: [String]) {
        pointers = .allocate(capacity: strings.count + 1)
        for (i, string) in strings.enumerated() { pointers[i] = strdup(string) }
        pointers[strings.count] = nil
    }

    func release() {
        var i = 0
        while let string = pointers[i] {
            free(string)
            i += 1
        }
        pointers.deallocate()
    }
}
