import Foundation
import SystemSupport

#if canImport(Glibc)
import Glibc
#endif

/// The grid's `zmesh registry`: a real process in the LAN namespace on 198.51.100.1:8080, over a
/// database in the grid's directory that outlives it, so it can be stopped and started again
/// ("registry down and back") with everything it stored.
public final class RegistryProcess: @unchecked Sendable {
    unowned let grid: Grid
    public let database: String
    public let log: String
    private var process: BackgroundProcess?
    private var starts = 0

    init(grid: Grid) {
        self.grid = grid
        database = "\(grid.directory)/registry.sqlite"
        log = "\(grid.directory)/registry.log"
    }

    public var isRunning: Bool { process?.isRunning ?? false }

    /// Starts the registry and waits until it answers HTTP on the LAN.
    public func start() throws(GridError) {
        if isRunning { throw GridError("start", "the registry", "it is already running") }
        starts += 1
        _ = try? FileIO.writeFile(GridCommand.readText(log) + "==== grid: registry start \(starts)\n", to: log)
        let process = try grid.command.start(
            grid.enterLAN + [
                grid.binary, "registry", "--listen", "\(Grid.registryAddress):\(Grid.registryPort)", "--db", database,
                // Agents poll and report often in tests; nothing here is a flood.
                "--rate-limit", "50", "--rate-burst", "500",
            ], log: log)
        self.process = process
        try Poll.require("the registry to answer on \(grid.registryURL)", timeout: .seconds(60), detail: { self.logTail() }) {
            guard process.isRunning else { throw GridError("start", "the registry", "it exited") }
            return try self.answers()
        }
    }

    /// Stops it (SIGTERM, then SIGKILL) and waits until it is gone.
    public func stop() {
        process?.stop()
    }

    /// Whether `GET /v1/twins/…` gets any HTTP answer (a 404 is an answer).
    public func answers() throws -> Bool {
        let result = try grid.runOnLAN(
            [GridEnvironment.path("curl"), "-s", "-o", "/dev/null", "-w", "%{http_code}", "-m", "2", "\(grid.registryURL)/v1/twins/none"],
            timeout: .seconds(10))
        return result.standardOutput != "000" && !result.standardOutput.isEmpty
    }

    public func logTail(_ lines: Int = 25) -> String {
        GridCommand.readText(log).split(separator: "\n", omittingEmptySubsequences: false).suffix(lines)
            .joined(separator: "\n")
    }

    func shutdown() -> [String] {
        guard let process else { return [] }
        process.signal(SIGKILL)
        return process.wait(timeout: .seconds(10)) == nil ? ["the registry (pid \(process.pid)) did not exit"] : []
    }
}
