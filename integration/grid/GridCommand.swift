import Foundation
import SystemSupport

#if canImport(Glibc)
import Glibc
#endif

/// What a finished command left: its exit status and its standard output and error, kept apart.
public struct CommandResult: Sendable, CustomStringConvertible {
    public let command: [String]
    public let status: ExitStatus
    public let standardOutput: String
    public let standardError: String

    public var succeeded: Bool { status == .exited(0) }

    public var description: String {
        let output = standardError.isEmpty ? standardOutput : standardError
        return "`\(command.joined(separator: " "))` \(status): \(output.trimmingCharacters(in: .whitespacesAndNewlines))"
    }

    /// Standard output when the command succeeded; otherwise a ``GridError`` with everything it printed.
    @discardableResult
    public func output() throws(GridError) -> String {
        guard succeeded else { throw GridError("run", command.joined(separator: " "), "\(status): \(standardError)\(standardOutput)") }
        return standardOutput
    }
}

/// Runs commands with SystemSupport's ``SpawnedProcess`` (Foundation's `Process` hangs on threads
/// that live in other namespaces), synchronously: standard output and error go to two files in
/// `directory`, read once the command has exited.
public struct GridCommand: Sendable {
    /// Where capture files are made (the grid's directory).
    public let directory: String
    /// The environment every command gets: this process's, without proxy variables (nothing in a
    /// simulated grid may go through a proxy of the host's network), PATH completed with the sbin and
    /// bin directories, plus `extraEnvironment`.
    public let environment: [String]

    public init(directory: String, extraEnvironment: [String] = []) {
        self.directory = directory
        let proxies: Set<String> = ["http_proxy", "https_proxy", "all_proxy", "no_proxy", "ftp_proxy"]
        var environment = SpawnedProcess.currentEnvironment().filter { entry in
            let name = entry.split(separator: "=", maxSplits: 1).first.map { String($0).lowercased() } ?? ""
            return !proxies.contains(name) && name != "path"
        }
        // Root's tools are not always on a test's PATH; commands inside nodes are looked up with it.
        let path = SpawnedProcess.currentEnvironment().first { $0.hasPrefix("PATH=") }.map { String($0.dropFirst(5)) } ?? ""
        environment.append("PATH=\(path.isEmpty ? "" : path + ":")/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
        self.environment = environment + extraEnvironment
    }

    /// Runs `argv` (`argv[0]` an absolute path or a name looked up on PATH) to completion, killing it
    /// after `timeout`.
    public func run(_ argv: [String], timeout: Duration = .seconds(120)) throws(GridError) -> CommandResult {
        guard let first = argv.first else { throw GridError("run", "an empty command", "nothing to run") }
        guard let executable = SpawnedProcess.locate(first) else { throw GridError("run", first, "not installed") }
        let stamp = "\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        let outPath = "\(directory)/.cmd-\(stamp).out", errPath = "\(directory)/.cmd-\(stamp).err"
        defer {
            unlink(outPath)
            unlink(errPath)
        }
        let out = open(outPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard out >= 0 else { throw GridError("create capture file", outPath, SystemError.message(for: errno)) }
        defer { close(out) }
        // Standard error goes to its own file through a shell redirect (SpawnedProcess gives the child
        // one descriptor for both streams).
        let process: SpawnedProcess
        do {
            process = try SpawnedProcess.spawn(
                executable: "/bin/sh", arguments: ["-c", #"e=$1; shift; exec "$@" 2>"$e""#, "sh", errPath, executable] + argv.dropFirst(),
                environment: environment, output: out)
        } catch { throw GridError("spawn", argv.joined(separator: " "), error.description) }
        var status: ExitStatus?
        do { status = try process.waitForExit(timeout: timeout) } catch {
            throw GridError("wait for", argv.joined(separator: " "), error.description)
        }
        if status == nil {
            kill(process.id, SIGKILL)
            _ = try? process.waitForExit(timeout: .seconds(10))
            throw GridError("run", argv.joined(separator: " "), "still running after \(timeout); killed")
        }
        return CommandResult(
            command: argv, status: status!, standardOutput: Self.readText(outPath), standardError: Self.readText(errPath))
    }

    /// Starts `argv` in the background with standard output and error appended to `log`.
    public func start(_ argv: [String], log: String) throws(GridError) -> BackgroundProcess {
        guard let first = argv.first, let executable = SpawnedProcess.locate(first) else {
            throw GridError("start", argv.first ?? "an empty command", "not installed")
        }
        let fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw GridError("open log", log, SystemError.message(for: errno)) }
        defer { close(fd) }
        do {
            let process = try SpawnedProcess.spawn(
                executable: executable, arguments: Array(argv.dropFirst()), environment: environment, output: fd)
            return BackgroundProcess(process: process, command: argv, log: log)
        } catch { throw GridError("start", argv.joined(separator: " "), error.description) }
    }

    /// The text of a file, empty when it cannot be read.
    public static func readText(_ path: String) -> String {
        guard let bytes = try? FileIO.readFile(path) else { return "" }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// A child started by ``GridCommand/start(_:log:)``: signal it, wait for it, read its log.
public final class BackgroundProcess: @unchecked Sendable {
    public let process: SpawnedProcess
    public let command: [String]
    public let log: String
    private var exitStatus: ExitStatus?

    init(process: SpawnedProcess, command: [String], log: String) {
        self.process = process
        self.command = command
        self.log = log
    }

    public var pid: pid_t { process.id }

    /// How it ended, `nil` while it runs (reaps it when it has exited).
    public func status() -> ExitStatus? {
        if exitStatus == nil { exitStatus = try? process.reapIfExited() }
        return exitStatus
    }

    public var isRunning: Bool { status() == nil }

    /// Sends `signal` (ignored once it has exited).
    public func signal(_ signal: Int32) {
        if isRunning { kill(process.id, signal) }
    }

    /// Sends `signal` to its descendants (deepest first: the program an `nsenter` forked into a PID
    /// namespace), then to it.
    public func signalWithDescendants(_ signal: Int32) {
        guard isRunning else { return }
        func descendants(_ pid: pid_t) -> [pid_t] {
            ProcessTable.children(of: pid).flatMap { descendants($0) + [$0] }
        }
        for pid in descendants(process.id) { kill(pid, signal) }
        kill(process.id, signal)
    }

    /// Ends it and everything it started (SIGKILL) and reaps it.
    public func terminateAll() {
        signalWithDescendants(SIGKILL)
        wait(timeout: .seconds(10))
    }

    /// Waits up to `timeout` for it to exit; its status, `nil` if it still runs.
    @discardableResult
    public func wait(timeout: Duration) -> ExitStatus? {
        if let exitStatus { return exitStatus }
        exitStatus = try? process.waitForExit(timeout: timeout)
        return exitStatus
    }

    /// SIGTERM, then SIGKILL after `grace`; reaped either way.
    public func stop(grace: Duration = .seconds(10)) {
        guard isRunning else { return }
        kill(process.id, SIGTERM)
        if wait(timeout: grace) == nil {
            kill(process.id, SIGKILL)
            wait(timeout: .seconds(30))
        }
    }

    /// The last `lines` lines of its log (for failure messages).
    public func logTail(_ lines: Int = 30) -> String {
        GridCommand.readText(log).split(separator: "\n", omittingEmptySubsequences: false).suffix(lines)
            .joined(separator: "\n")
    }
}
