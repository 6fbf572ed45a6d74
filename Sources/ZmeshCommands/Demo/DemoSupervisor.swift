import Foundation
import GridSupport
import SystemSupport

#if canImport(Glibc)
import Glibc
#endif

/// Runs the demo in a worker process (`zmesh demo --worker`) and removes its grid whatever happens.
///
/// The grid is built by a thread that blocks in commands and waits; a Ctrl-C cannot stop it half-way
/// safely in the same process. So the worker does the work, and this process only waits: on SIGINT,
/// SIGTERM or SIGHUP it kills the worker (SIGKILL: nothing more gets made), then removes the grid by
/// its tag (``GridRemoval``). The worker's temporary directory is one this process made (`TMPDIR`), so
/// the grid's directory `zt-<tag>-grid-*` — made before anything else of the grid — names the tag.
struct DemoSupervisor {
    let arguments: [String]
    let say: (String) -> Void
    let cleanup: Cleanup

    init(arguments: [String], say: @escaping (String) -> Void) {
        self.arguments = arguments
        self.say = say
        cleanup = Cleanup(say: say)
    }

    /// From here on, SIGINT, SIGTERM and SIGHUP remove whatever the demo made (call it before anything
    /// is made: the environment check makes a namespace too).
    func installSignalHandlers() throws {
        let cleanup = cleanup
        try TerminationSignals.install { cleanup.interrupted() }
    }

    /// Runs the worker; its exit status (128 + signal when it was killed).
    func run() throws -> Int32 {
        guard let binary = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else {
            throw CommandError("cannot read /proc/self/exe to run the demo's worker")
        }
        try cleanup.start(
            makeScratch: {
                var template = Array("/tmp/zmesh-demo-XXXXXX".utf8CString)
                let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!).map { String(cString: $0) } }
                guard let made else {
                    throw CommandError("cannot create a directory in /tmp: \(SystemError.message(for: errno))")
                }
                return made
            },
            spawn: { scratch in
                var environment = SpawnedProcess.currentEnvironment().filter { !$0.hasPrefix("TMPDIR=") }
                environment.append("TMPDIR=\(scratch)")
                return try SpawnedProcess.spawn(
                    executable: binary, arguments: ["demo", "--worker", "--kept-marker", "\(scratch)/kept"] + arguments,
                    environment: environment, output: STDOUT_FILENO)
            })
        guard let worker = cleanup.currentWorker, let scratch = cleanup.currentScratch else { return 128 + SIGKILL }
        let kept = "\(scratch)/kept"
        let status = (try? worker.waitForExit(timeout: .seconds(24 * 3600))) ?? .signalled(SIGKILL)
        if cleanup.isInterrupting {
            // The signal thread killed the worker and removes the grid; it ends the process with
            // 128 + the signal. Returning here would race it with the worker's status (137).
            while true { pause() }
        }
        cleanup.markWorkerGone()
        if FileManager.default.fileExists(atPath: kept) {
            // Left running on purpose (--keep); `zmesh demo --remove TAG` removes it.
            return Self.code(status)
        }
        cleanup.removeGrid()
        return Self.code(status)
    }

    static func code(_ status: ExitStatus) -> Int32 {
        switch status {
        case .exited(let code): return code
        case .signalled(let signal): return 128 + signal
        }
    }

    /// What the signal thread and the main thread share.
    final class Cleanup: @unchecked Sendable {
        let say: (String) -> Void
        private let lock = NSLock()
        private var worker: SpawnedProcess?
        private var scratch: String?
        private var workerGone = false
        private var interrupting = false
        private var removed = false
        private let removal = NSLock()
        private let checking = NSLock()

        init(say: @escaping (String) -> Void) { self.say = say }

        var currentWorker: SpawnedProcess? { lock.withLock { worker } }

        var currentScratch: String? { lock.withLock { scratch } }

        /// Whether a signal's clean-up has begun (it ends the process).
        var isInterrupting: Bool { lock.withLock { interrupting } }

        /// Makes the scratch directory and spawns the worker, unless a signal came first (then the
        /// handler is already cleaning up and nothing is made).
        func start(makeScratch: () throws -> String, spawn: (String) throws -> SpawnedProcess) throws {
            try lock.withLock {
                guard !interrupting else { return }
                let made = try makeScratch()
                scratch = made
                do { worker = try spawn(made) } catch {
                    try? FileManager.default.removeItem(atPath: made)
                    scratch = nil
                    throw error
                }
            }
        }

        /// Runs `check` (the environment check, which makes and deletes a namespace) so that a signal
        /// meanwhile waits for it to finish before cleaning up.
        func whileChecking<T>(_ check: () throws -> T) rethrows -> T {
            checking.lock()
            defer { checking.unlock() }
            return try check()
        }

        /// The signal handler's work: no worker any more, nothing of the demo left.
        func interrupted() {
            lock.withLock { interrupting = true }
            // Never released: the process ends after this.
            checking.lock()
            say("\ninterrupted: stopping the demo and removing its grid")
            stopWorker()
            let command = GridCommand(directory: "/tmp")
            let probes = ((try? FileManager.default.contentsOfDirectory(atPath: "/run/netns")) ?? [])
                .filter { $0.hasPrefix(GridEnvironment.probeNamespacePrefix) }
            for probe in probes { _ = try? command.run([GridEnvironment.path("ip"), "netns", "delete", probe]) }
            removeGrid()
        }

        func markWorkerGone() { lock.withLock { workerGone = true } }

        func stopWorker() {
            guard let worker = lock.withLock({ workerGone ? nil : worker }) else { return }
            try? worker.signal(SIGKILL)
            // The main thread may reap it first: then this wait fails at once.
            _ = try? worker.waitForExit(timeout: .seconds(10))
        }

        /// Removes the worker's grid (whatever is left of it) and the scratch directory, once. A second
        /// caller (the signal thread while the main thread removes, or the reverse) waits until it is done:
        /// the process must not exit half-way.
        func removeGrid() {
            removal.lock()
            defer { removal.unlock() }
            guard !removed else { return }
            removed = true
            guard let scratch = lock.withLock({ self.scratch }) else { return }
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: scratch)) ?? []
            for entry in entries where entry.hasPrefix("zt-") && entry.contains("-grid") {
                let tag = String(entry.dropFirst(3).prefix { $0 != "-" })
                guard GridRemoval.isValidTag(tag) else { continue }
                let removal = GridRemoval(tag: tag)
                guard removal.exists else { continue }
                let problems = removal.remove()
                if problems.isEmpty {
                    say("grid \(tag) removed")
                } else {
                    say("grid \(tag): could not remove everything: \(problems.joined(separator: "; "))")
                }
            }
            try? FileManager.default.removeItem(atPath: scratch)
        }
    }
}
