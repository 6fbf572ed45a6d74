import SystemSupport

/// How to run wireguard-go.
public struct WireGuardGoOptions: Sendable {
    /// The binary: an absolute path, or a name looked up on `PATH` and then in `/usr/sbin`, `/usr/bin`,
    /// `/sbin` and `/bin`; `nil` means `wireguard-go`, so `/usr/bin/wireguard-go` is found even when
    /// `PATH` lacks `/usr/bin`.
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
    /// Start the daemon in a private mount namespace in which ``socketDirectory`` is bind-mounted over
    /// wireguard-go's fixed `/var/run/wireguard`, so that its socket is `<socketDirectory>/<name>.sock`
    /// and never collides with another daemon serving the same name (several simulated nodes on one
    /// machine, tests). Needs `CAP_SYS_ADMIN`; ignored when ``socketDirectory`` is the default.
    public var isolatesSocketDirectory: Bool

    public init(
        executable: String? = nil, socketDirectory: String = UserspaceBackend.defaultSocketDirectory,
        startTimeout: Duration = .seconds(5), stopTimeout: Duration = .seconds(3), logLevel: String? = nil,
        isolatesSocketDirectory: Bool = false
    ) {
        self.executable = executable
        self.socketDirectory = socketDirectory
        self.startTimeout = startTimeout
        self.stopTimeout = stopTimeout
        self.logLevel = logLevel
        self.isolatesSocketDirectory = isolatesSocketDirectory
    }

    /// The directory to bind over `/var/run/wireguard` in the daemon's own mount namespace, if any.
    var isolatedSocketDirectory: String? {
        guard isolatesSocketDirectory, socketDirectory != UserspaceBackend.defaultSocketDirectory else { return nil }
        return socketDirectory
    }

    /// The binary these options name, if it exists and is executable, found as
    /// ``SpawnedProcess/locate(_:)`` finds it.
    public func resolvedExecutable() -> String? {
        SpawnedProcess.locate(executable ?? "wireguard-go")
    }
}
