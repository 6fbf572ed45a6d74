import SystemSupport

#if canImport(Glibc)
import Glibc
#endif

/// What `/proc` says about one process: resident memory and CPU time so far.
struct ProcessSample {
    /// `VmRSS`, KiB.
    let residentKiB: Int
    /// `VmHWM` (peak resident), KiB.
    let peakResidentKiB: Int
    /// User + system CPU time, seconds.
    let cpuSeconds: Double

    /// The sample of process `pid`, or `nil` when it is gone.
    static func of(_ pid: pid_t) -> ProcessSample? {
        guard let status = try? FileIO.readFile("/proc/\(pid)/status", limit: 1 << 16),
            let stat = try? FileIO.readFile("/proc/\(pid)/stat", limit: 1 << 14)
        else { return nil }
        var rss = 0
        var hwm = 0
        for line in String(decoding: status, as: UTF8.self).split(separator: "\n") {
            let value = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? 0
            if line.hasPrefix("VmRSS:") { rss = value }
            if line.hasPrefix("VmHWM:") { hwm = value }
        }
        // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
        let text = String(decoding: stat, as: UTF8.self)
        guard let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        return ProcessSample(residentKiB: rss, peakResidentKiB: hwm, cpuSeconds: (user + system) / ticks)
    }

    /// The wireguard-go processes serving `interface` (`wireguard-go [-f] NAME`).
    static func wireGuardGo(serving interface: String) -> [pid_t] {
        SpawnedProcess.running { arguments in
            arguments.first.map { $0.hasSuffix("wireguard-go") } == true && arguments.last == interface
        }.map(\.id)
    }
}
