import Foundation
import SystemSupport

#if canImport(Glibc)
import Glibc
#endif

/// `tcpdump -i any` in the grid's LAN namespace — the bridge `br0`, each node's port `l<i>-<tag>` and
/// `lo` (the deployer's and the registry's own traffic) — writing a pcap file (Linux cooked v2
/// headers) in the grid's directory. A packet may be captured on more than one interface.
public final class PacketCapture: @unchecked Sendable {
    public let file: String
    private let process: BackgroundProcess
    private var stopped = false

    /// Starts the capture and waits until tcpdump listens.
    public init(grid: Grid, name: String = "lan") throws(GridError) {
        file = "\(grid.directory)/capture-\(name)-\(UInt32.random(in: 0...UInt32.max)).pcap"
        let log = "\(grid.directory)/tcpdump-\(name).log"
        // -Z root: Debian's tcpdump would otherwise switch to its own user, who cannot write the
        // grid's directory (mode 0700). -U: every packet written when captured. -s 0: whole packets.
        process = try grid.command.start(
            grid.enterLAN + [GridEnvironment.path("tcpdump"), "-i", "any", "-n", "-U", "-s", "0", "-Z", "root", "-w", file],
            log: log)
        let process = process
        try Poll.require("tcpdump to listen in \(grid.lanNamespace)", timeout: .seconds(30), detail: { process.logTail() }) {
            guard process.isRunning else { throw GridError("start", "tcpdump", process.logTail()) }
            return GridCommand.readText(log).contains("listening on")
        }
    }

    /// Waits until the file holds `bytes` (tcpdump is behind the kernel on a loaded machine: what
    /// was sent before `bytes` is in the file once they are); the time it took, nil after `timeout`.
    public func waitFor(_ bytes: [UInt8], timeout: Duration = .seconds(20)) -> Duration? {
        Poll.until(timeout: timeout, interval: .milliseconds(100)) {
            PcapFile.contains(try FileIO.readFile(file), bytes)
        }
    }

    /// Stops tcpdump (SIGINT: it flushes and prints its counts) and reads the file; the capture's
    /// raw bytes and its packets, and tcpdump's closing lines (packets captured, dropped by kernel).
    public func stop() throws(GridError) -> (bytes: [UInt8], pcap: PcapFile, summary: String) {
        if !stopped {
            stopped = true
            process.signal(SIGINT)
            if process.wait(timeout: .seconds(20)) == nil { process.terminateAll() }
        }
        let bytes: [UInt8]
        do { bytes = try FileIO.readFile(file) } catch { throw GridError("read", file, "\(error)") }
        let summary = process.logTail(4).split(separator: "\n").filter { $0.contains("packets") }.joined(separator: "; ")
        return (bytes, try PcapFile(bytes: bytes), summary)
    }

    deinit { if !stopped { process.terminateAll() } }
}

extension GridEnvironment {
    /// Whether `tcpdump` is installed (the wire-encryption scenario needs it; scripts/install-deps.sh).
    public static var hasTcpdump: Bool { SpawnedProcess.locate("tcpdump") != nil }
}
