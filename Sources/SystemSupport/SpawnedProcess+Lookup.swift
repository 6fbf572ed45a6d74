#if canImport(Glibc)
import Glibc
#endif

extension SpawnedProcess {
    /// The running processes (other than this one) whose arguments (`/proc/PID/cmdline`, the program
    /// first) satisfy `matches`: how a daemon that outlived whoever started it is found again.
    public static func running(where matches: ([String]) -> Bool) -> [SpawnedProcess] {
        guard let directory = opendir("/proc") else { return [] }
        defer { closedir(directory) }
        var found: [SpawnedProcess] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard let pid = pid_t(name), pid != getpid(),
                let bytes = try? FileIO.readFile("/proc/\(pid)/cmdline", limit: 1 << 14)
            else { continue }
            let arguments = bytes.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            guard let program = arguments.first, matches(arguments) else { continue }
            found.append(SpawnedProcess(id: pid, executable: program))
        }
        return found
    }

    /// `SIGTERM`, then `SIGKILL` when it has not exited after `grace`; waits for the exit (reaping a
    /// child of ours). Errors (already gone, not ours to reap) are ignored: this is clean-up.
    public func terminate(grace: Duration) {
        try? signal(SIGTERM)
        if (try? waitForExit(timeout: grace)) == nil {
            try? signal(SIGKILL)
            _ = try? waitForExit(timeout: .seconds(5))
        }
    }
}
