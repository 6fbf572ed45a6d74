import Foundation
import SystemSupport

#if canImport(Glibc)
import Glibc
#endif

/// A ping running for the length of an operation: an echo request every interval (50 ms by default)
/// from a workload, stopped by ``stop()``, which waits up to 2 s for outstanding replies (so a request
/// in flight at the stop is not counted lost) and returns the counts.
public final class ContinuousPing: @unchecked Sendable {
    /// What one continuous ping saw.
    public struct Result: Decodable, Sendable, CustomStringConvertible {
        public let sent: Int
        public let received: Int
        /// Sequence numbers of the requests that got no reply (at most 100 listed).
        public let lost: [Int]
        /// The longest run of consecutive lost requests (× interval ≈ the longest outage).
        public let longestLoss: Int
        /// Requests the kernel refused to send (no route, …): also lost.
        public let sendErrors: Int
        /// Replies to a request that was already answered.
        public let duplicates: Int
        public let maxRTTMilliseconds: Double

        public var lostCount: Int { sent - received }
        /// Something was sent, and every request got exactly one reply.
        public var isClean: Bool { sent > 0 && lostCount == 0 && duplicates == 0 }

        enum CodingKeys: String, CodingKey {
            case sent, received, lost
            case longestLoss = "longest_loss", sendErrors = "send_errors", duplicates, maxRTTMilliseconds = "max_rtt_ms"
        }

        public var description: String {
            "\(sent) sent, \(received) received, \(lostCount) lost (longest run \(longestLoss)), \(duplicates) duplicated, max rtt \(maxRTTMilliseconds) ms"
                + (lost.isEmpty ? "" : ", lost seq \(lost.prefix(20).map(String.init).joined(separator: ","))")
        }
    }

    public let source: Workload
    public let address: String
    private let process: BackgroundProcess

    init(from workload: Workload, to address: String, interval: Duration) throws(GridError) {
        source = workload
        self.address = address
        let grid = workload.node.grid
        let script = try grid.script("ping.py", Scripts.ping)
        let seconds = String(format: "%.3f", interval.milliseconds / 1000)
        let log = "\(grid.directory)/ping-\(workload.name)-node\(workload.node.index)-\(UInt32.random(in: 0...UInt32.max)).log"
        process = try grid.command.start(
            workload.node.enter(namespace: workload.name) + [GridEnvironment.path("python3"), script, address, seconds],
            log: log)
        // The pinger runs once nsenter forked it.
        try Poll.require("the continuous ping from \(workload) to start", timeout: .seconds(10), interval: .milliseconds(10)) {
            ProcessTable.children(of: process.pid).contains { ProcessTable.entry($0)?.name.hasPrefix("python") == true }
        }
    }

    /// Stops the ping and returns what it counted.
    public func stop() throws(GridError) -> Result {
        for child in ProcessTable.children(of: process.pid) { kill(child, SIGTERM) }
        guard process.wait(timeout: .seconds(20)) != nil else {
            process.terminateAll()
            throw GridError("stop", "the continuous ping from \(source) to \(address)", "it did not end after SIGTERM")
        }
        let text = GridCommand.readText(process.log)
        guard let line = text.split(separator: "\n").last,
            let result = try? JSONDecoder().decode(Result.self, from: Data(line.utf8))
        else { throw GridError("read the result of", "the continuous ping from \(source) to \(address)", text) }
        return result
    }

    deinit {
        process.terminateAll()
    }
}
