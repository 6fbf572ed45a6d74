import Foundation
import SystemSupport

#if canImport(Glibc)
import Glibc
#endif

/// One ordered pair of a ``ConnectivityMatrix``: from the workload on node `source` to the workload on
/// node `target` (node indexes).
public struct PairResult: Sendable, CustomStringConvertible {
    public let source: Int
    public let target: Int
    /// Median round trip over IPv4 (`nil`: no reply within the probe's timeout).
    public let ipv4RTT: Duration?
    /// Median round trip over IPv6 (`nil`: no reply, or not probed).
    public let ipv6RTT: Duration?
    /// Time from the probe's start until the first IPv4 reply.
    public let firstReply: Duration?
    /// Time from the probe's start until the first IPv6 reply.
    public let firstReplyIPv6: Duration?
    /// Whether IPv6 was probed for this pair (both workloads have an IPv6 address).
    public let ipv6Probed: Bool

    /// IPv4 answered, and IPv6 too when probed.
    public var answered: Bool { ipv4RTT != nil && (!ipv6Probed || ipv6RTT != nil) }

    public var description: String {
        func ms(_ d: Duration?) -> String { d.map { String(format: "%.2f ms", $0.milliseconds) } ?? "none" }
        var text = "node\(source)→node\(target): IPv4 \(ms(ipv4RTT)) (first after \(firstReply?.readable ?? "-"))"
        if ipv6Probed { text += ", IPv6 \(ms(ipv6RTT)) (first after \(firstReplyIPv6?.readable ?? "-"))" }
        return text
    }
}

/// What an all-pairs probe of a ``GridNetwork`` saw (``GridNetwork/connectivity(timeout:ipv6:samples:)``).
public struct ConnectivityMatrix: Sendable, CustomStringConvertible {
    /// Every ordered pair of member workloads probed, sorted by source then target.
    public let pairs: [PairResult]
    /// How long the probe ran.
    public let elapsed: Duration

    /// The pair from node `source` to node `target`.
    public func pair(_ source: Int, _ target: Int) -> PairResult? {
        pairs.first { $0.source == source && $0.target == target }
    }

    /// `"node1→node2 IPv4"`-style descriptions of every probe that got no reply (empty: all answered).
    public var unreachable: [String] {
        pairs.flatMap { pair -> [String] in
            var failures: [String] = []
            if pair.ipv4RTT == nil { failures.append("node\(pair.source)→node\(pair.target) IPv4") }
            if pair.ipv6Probed, pair.ipv6RTT == nil { failures.append("node\(pair.source)→node\(pair.target) IPv6") }
            return failures
        }
    }

    /// The latest first IPv4 reply over all pairs (since the probe's start): when every pair answered.
    public var allAnsweredAfter: Duration? {
        guard pairs.allSatisfy({ $0.firstReply != nil }) else { return nil }
        return pairs.compactMap(\.firstReply).max()
    }

    public var description: String { pairs.map(\.description).joined(separator: "\n") }
}

extension GridNetwork {
    /// Probes every ordered pair of member workloads at once: one Python process per source workload
    /// sends ICMP (and ICMPv6 when `ipv6` and both ends have an address) echo requests to every other
    /// workload, one every 50 ms per target until the first reply, then `samples` more 20 ms apart for
    /// the median round trip (over requests sent after the first reply: earlier ones may have waited
    /// in WireGuard's queue for a handshake). Targets that never answer are given up after `timeout`. Pairs without a
    /// workload count as unreachable.
    ///
    /// `only` restricts the probe to the ordered pairs (source, target node indexes) it accepts.
    public func connectivity(
        timeout: Duration = .seconds(30), ipv6: Bool = true, samples: Int = 5, only: ((Int, Int) -> Bool)? = nil
    ) throws -> ConnectivityMatrix {
        let included = only ?? { _, _ in true }
        let grid = owner.grid
        let script = try grid.script("probe.py", Scripts.probe)
        let python = GridEnvironment.path("python3")
        let sources = members.compactMap { workloads[$0.index] }
        var probes: [(source: Workload, process: BackgroundProcess, log: String)] = []
        defer { for probe in probes { probe.process.terminateAll() } }
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let startSeconds = Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
        let start = ContinuousClock.now
        let seconds = String(format: "%.3f", timeout.milliseconds / 1000)
        for source in sources {
            guard members.contains(where: { $0.index != source.node.index && included(source.node.index, $0.index) })
            else { continue }
            var targets: [String] = []
            for node in members where node.index != source.node.index && included(source.node.index, node.index) {
                guard let target = workloads[node.index] else { continue }
                targets.append("\(node.index),4,\(target.ipv4)")
                if ipv6, source.ipv6 != nil, let address = target.ipv6 { targets.append("\(node.index),6,\(address)") }
            }
            let log = "\(grid.directory)/probe-\(name)-node\(source.node.index)-\(UInt32.random(in: 0...UInt32.max)).log"
            let process = try grid.command.start(
                source.node.enter(namespace: source.name)
                    + [python, script, String(format: "%.6f", startSeconds), seconds, String(samples)] + targets,
                log: log)
            probes.append((source, process, log))
        }
        var results: [Int: [Int: [String: (rtt: Double?, first: Double?)]]] = [:]
        for probe in probes {
            if probe.process.wait(timeout: timeout + .seconds(30)) == nil {
                throw GridError("wait for", "the connectivity probe from \(probe.source)", "still running")
            }
            for line in GridCommand.readText(probe.log).split(separator: "\n") {
                struct Line: Decodable {
                    let target: Int
                    let family: Int
                    let first: Double?
                    let rtt: Double?
                }
                guard let entry = try? JSONDecoder().decode(Line.self, from: Data(line.utf8)) else { continue }
                results[probe.source.node.index, default: [:]][entry.target, default: [:]]["\(entry.family)"] =
                    (entry.rtt, entry.first)
            }
            unlink(probe.log)
        }
        func duration(_ seconds: Double?) -> Duration? { seconds.map { .nanoseconds(Int64($0 * 1e9)) } }
        var pairs: [PairResult] = []
        for a in members {
            for b in members where a.index != b.index && included(a.index, b.index) {
                let found = results[a.index]?[b.index]
                let probed6 = ipv6 && workloads[a.index]?.ipv6 != nil && workloads[b.index]?.ipv6 != nil
                pairs.append(
                    PairResult(
                        source: a.index, target: b.index, ipv4RTT: duration(found?["4"]?.rtt),
                        ipv6RTT: duration(found?["6"]?.rtt), firstReply: duration(found?["4"]?.first),
                        firstReplyIPv6: duration(found?["6"]?.first), ipv6Probed: probed6))
            }
        }
        return ConnectivityMatrix(pairs: pairs, elapsed: ContinuousClock.now - start)
    }
}

extension Scripts {
    /// `probe.py START TIMEOUT SAMPLES TARGET…` (TARGET = `index,family,address`): echo requests to
    /// every target over raw ICMP/ICMPv6 sockets, one every 50 ms until the first reply, then SAMPLES
    /// more 20 ms apart; gives up on a target TIMEOUT seconds after START (CLOCK_MONOTONIC seconds).
    /// Prints one JSON line per target: `first` (seconds from START to its first reply) and `rtt` (the
    /// median round trip in seconds), both null without a reply.
    static let probe = #"""
        import json, os, select, socket, struct, sys, time
        start, timeout, samples = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
        targets = []
        for spec in sys.argv[4:]:
            index, family, address = spec.split(",", 2)
            targets.append({"target": int(index), "family": int(family), "address": address,
                            "next": 0.0, "sent": 0, "rtts": [], "first": None, "answered_at": None})
        def clock():
            return time.clock_gettime(time.CLOCK_MONOTONIC)
        \#(Scripts.icmpChecksum)
        sockets = {}
        if any(t["family"] == 4 for t in targets):
            sockets[4] = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
        if any(t["family"] == 6 for t in targets):
            sockets[6] = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
        ident = os.getpid() & 0xffff
        deadline = start + timeout
        def done(t):
            return len(t["rtts"]) > samples
        while True:
            now = clock()
            pending = [t for t in targets if not done(t)]
            if not pending or now >= deadline:
                break
            for n, t in enumerate(targets):
                if done(t) or now < t["next"]:
                    continue
                t["sent"] += 1
                v6 = t["family"] == 6
                request = 128 if v6 else 8
                payload = struct.pack("!Hd", n, now) + b"zmesh-grid-probe"
                header = struct.pack("!BBHHH", request, 0, 0, ident, t["sent"] & 0xffff)
                if not v6:
                    header = struct.pack("!BBHHH", request, 0, checksum(header + payload), ident, t["sent"] & 0xffff)
                try:
                    sockets[t["family"]].sendto(header + payload, (t["address"], 0))
                except OSError:
                    pass
                t["next"] = now + (0.02 if t["first"] is not None else 0.05)
            wait = max(0.0, min([t["next"] for t in targets if not done(t)] + [deadline]) - clock())
            ready, _, _ = select.select(list(sockets.values()), [], [], wait)
            for s in ready:
                data = s.recv(4096)
                received = clock()
                v6 = s.family == socket.AF_INET6
                if not v6:
                    data = data[(data[0] & 0x0f) * 4:]
                if len(data) < 8 + 10 or data[0] != (129 if v6 else 0):
                    continue
                if struct.unpack("!H", data[4:6])[0] != ident:
                    continue
                n, sent = struct.unpack("!Hd", data[8:18])
                if n >= len(targets) or targets[n]["family"] != (6 if v6 else 4):
                    continue
                t = targets[n]
                if t["first"] is None:
                    # Requests sent before it may have waited for a handshake: not samples.
                    t["first"] = received - start
                    t["answered_at"] = received
                    t["rtts"].append(received - sent)
                elif sent >= t["answered_at"]:
                    t["rtts"].append(received - sent)
        for t in targets:
            # The first reply may have waited for a handshake: the median is over the later ones.
            rtts = sorted(t["rtts"][1:] if len(t["rtts"]) > 1 else t["rtts"])
            rtt = rtts[len(rtts) // 2] if rtts else None
            print(json.dumps({"target": t["target"], "family": t["family"], "first": t["first"], "rtt": rtt}))
        """#
}
