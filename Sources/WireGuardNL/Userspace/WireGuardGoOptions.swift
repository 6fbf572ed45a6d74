#if canImport(Glibc)
import Glibc
#endif

/// How to run wireguard-go.
public struct WireGuardGoOptions: Sendable {
    /// The binary: an absolute path, or a name looked up on `PATH`; `nil` means `wireguard-go` on
    /// `PATH`, then `/usr/bin/wireguard-go`.
    public var executable: String?
    /// Where the daemon creates `<name>.sock`. wireguard-go hard-codes `/var/run/wireguard`; change
    /// this only for an implementation that differs (or a private mount namespace is the way to isolate).
    public var socketDirectory: String
    /// How long the daemon may take to answer on its socket after being spawned.
    public var startTimeout: Duration
    /// How long ``WireGuardGoProcess/stop()`` waits after `SIGTERM` before `SIGKILL`.
    public var stopTimeout: Duration
    /// wireguard-go's `LOG_LEVEL` ("error", "verbose", "silent"); `nil` keeps its default (errors only).
    public var logLevel: String?

    public init(
        executable: String? = nil, socketDirectory: String = UserspaceBackend.defaultSocketDirectory,
        startTimeout: Duration = .seconds(5), stopTimeout: Duration = .seconds(3), logLevel: String? = nil
    ) {
        self.executable = executable
        self.socketDirectory = socketDirectory
        self.startTimeout = startTimeout
        self.stopTimeout = stopTimeout
        self.logLevel = logLevel
    }

    /// The binary these options name, if it exists and is executable.
    public func resolvedExecutable() -> String? {
        let name = executable ?? "wireguard-go"
        if name.contains("/") { return access(name, X_OK) == 0 ? name : nil }
        let path = getenv("PATH").map { String(cString: $0) } ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") where !directory.isEmpty {
            let candidate = "\(directory)/\(name)"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        if executable == nil, access("/usr/bin/wireguard-go", X_OK) == 0 { return "/usr/bin/wireguard-go" }
        return nil
    }
}
