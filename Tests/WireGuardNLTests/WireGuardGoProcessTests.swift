import Foundation
import SystemSupport
import Testing
import ZmeshModel
import ZmeshTestSupport

@testable import WireGuardNL

#if canImport(Glibc)
import Glibc
#endif

/// Starting and stopping the daemon, with shell scripts standing in for wireguard-go and an
/// in-process UAPI stand-in where a socket must answer. Runs unprivileged, in a temporary socket directory.
@Suite("wireguard-go process management (stand-in executables)")
struct WireGuardGoProcessTests {
    let directory: TemporaryDirectory
    let name: InterfaceName

    init() throws {
        directory = try TemporaryDirectory(prefix: "zmesh-wggo")
        name = try InterfaceName("zwfake\(ScratchNamespace.randomSuffix())")
    }

    /// Writes an executable `/bin/sh` script standing in for wireguard-go.
    func standIn(_ body: String) throws -> String {
        let path = "\(directory.path)/fake-wireguard-go"
        try "#!/bin/sh\n\(body)\n".write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o755)
        return path
    }

    func options(_ executable: String, startTimeout: Duration = .seconds(5)) -> WireGuardGoOptions {
        WireGuardGoOptions(
            executable: executable, socketDirectory: directory.path, startTimeout: startTimeout,
            stopTimeout: .milliseconds(300))
    }

    /// The pid a stand-in wrote to `pid` (written before it execs, so it is the daemon's pid).
    func standInPID() throws -> pid_t {
        let text = try String(contentsOfFile: "\(directory.path)/pid", encoding: .utf8)
        return try #require(pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)))
    }

    func isAlive(_ pid: pid_t) -> Bool { kill(pid, 0) == 0 }

    @Test func missingExecutableIsReported() {
        let error = #expect(throws: WireGuardError.self) {
            try WireGuardGoProcess.start(name, options: options("/nonexistent/wireguard-go"))
        }
        #expect(UAPIFixture.userspace(error)?.errno == ENOENT)
    }

    @Test func resolvesExecutablesOnPath() {
        #expect(WireGuardGoOptions(executable: "sh").resolvedExecutable()?.hasSuffix("/sh") == true)
        #expect(WireGuardGoOptions(executable: "no-such-zmesh-binary").resolvedExecutable() == nil)
    }

    @Test func daemonThatExitsIsReportedWithItsOutput() throws {
        let script = try standIn(#"echo "args: $* foreground=$WG_PROCESS_FOREGROUND" >&2; exit 3"#)
        let error = #expect(throws: WireGuardError.self) { try WireGuardGoProcess.start(name, options: options(script)) }
        let detail = UAPIFixture.userspace(error)?.detail ?? ""
        #expect(detail.contains("exited with status 3"), "\(detail)")
        #expect(detail.contains("args: -f \(name) foreground=1"), "\(detail)")
    }

    @Test func silentDaemonTimesOutAndIsStopped() throws {
        let script = try standIn("echo $$ > '\(directory.path)/pid'; exec sleep 30")
        let error = #expect(throws: WireGuardError.self) {
            try WireGuardGoProcess.start(name, options: options(script, startTimeout: .milliseconds(300)))
        }
        #expect(UAPIFixture.userspace(error)?.errno == ETIMEDOUT)
        #expect(UAPIFixture.userspace(error)?.detail.contains("did not answer") == true)
        #expect(!isAlive(try standInPID()))
    }

    @Test func refusesToStartWhenADaemonAlreadyAnswers() throws {
        let server = try FakeUAPIServer(interface: name.rawValue, directory: directory.path)
        defer { server.stop() }
        let script = try standIn("exit 0")
        let error = #expect(throws: WireGuardError.self) { try WireGuardGoProcess.start(name, options: options(script)) }
        #expect(UAPIFixture.userspace(error)?.errno == EEXIST)
    }

    /// The stand-in ignores SIGTERM; its socket comes up 300 ms after the start (served in-process).
    @Test func stopEscalatesToSIGKILLAndReaps() throws {
        let script = try standIn("echo $$ > '\(directory.path)/pid'; trap '' TERM; exec sleep 30")
        let slot = ServerSlot()
        let (path, interface) = (directory.path, name.rawValue)
        Thread {
            usleep(300_000)
            slot.set(try? FakeUAPIServer(interface: interface, directory: path))
        }.start()
        defer { slot.stop() }
        let daemon = try WireGuardGoProcess.start(name, options: options(script))
        #expect(daemon.isRunning)
        #expect(daemon.birthNamespace.path == "/proc/\(daemon.process.id)/ns/net")
        #expect(try standInPID() == daemon.process.id)
        #expect(try daemon.stop() == .signalled(SIGKILL))
        #expect(!daemon.isRunning)
        #expect(!isAlive(daemon.process.id))
        #expect(try daemon.stop() == .signalled(SIGKILL))
    }
}

/// A stand-in server created on another thread.
private final class ServerSlot: @unchecked Sendable {
    private let lock = NSLock()
    private var server: FakeUAPIServer?

    func set(_ server: FakeUAPIServer?) { lock.withLock { self.server = server } }
    func stop() { lock.withLock { server }?.stop() }
}
