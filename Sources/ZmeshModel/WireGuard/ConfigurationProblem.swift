/// Every problem found in a device configuration, each naming the offending value.
public struct ConfigurationProblems: Error, Sendable, Equatable, CustomStringConvertible {
    public var problems: [String]

    public init(_ problems: [String]) { self.problems = problems }

    public var description: String { problems.joined(separator: "\n") }
}

extension DeviceConfiguration {
    /// Checks what the kernel would otherwise resolve silently: a peer listed twice, or an allowed IP
    /// on two peers (WireGuard would move it to the last one).
    public func validate() throws(ConfigurationProblems) {
        var problems: [String] = []
        var seenPeers: [WireGuardKey: Int] = [:]
        var owner: [IPPrefix: Int] = [:]
        for (i, peer) in peers.enumerated() {
            if let first = seenPeers[peer.publicKey] {
                problems.append("peers[\(i)]: public key \(peer.publicKey) is also peers[\(first)]")
            } else {
                seenPeers[peer.publicKey] = i
            }
            for prefix in peer.allowedIPs {
                if let other = owner[prefix], other != i {
                    problems.append("peers[\(i)].allowedIPs: \(prefix) is also on peers[\(other)] (\(peers[other].publicKey))")
                } else {
                    owner[prefix] = i
                }
            }
        }
        if !problems.isEmpty { throw ConfigurationProblems(problems) }
    }
}
