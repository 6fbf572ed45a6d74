import Foundation
import SystemSupport

#if canImport(Glibc)
import Glibc
#endif

/// A simulated node's reboot: what a power cycle of a real node would leave (only its files — the
/// identity).
extension SimulatedNode {
    /// Reboots the node without starting anything: `kill -9` of the agent, then of every other process
    /// of the node (wireguard-go, workloads' programs; not the holder, which plays the kernel), then
    /// the node's root namespace back to how the grid built it: every named namespace deleted (`n-<id>`,
    /// `ndmz`, workloads), every link but `lo` and `eth0` deleted (the `ndmz` uplink, a `w-<id>` left on
    /// the public side), the nftables ruleset flushed (`inet zmesh-host`), `net.ipv4.ip_forward` 0,
    /// `/run/wireguard` emptied (stale UAPI sockets). Waits (up to `timeout`) until no process but the
    /// holder, no named namespace and no other link is left (namespaces are freed asynchronously).
    /// The agent is started again with ``startAgent(farm:hidden:extraArguments:)``, same identity.
    public func reboot(timeout: Duration = .seconds(30)) throws {
        if let agent, agent.isRunning { try killAgent(signal: SIGKILL) }
        try Poll.require("every process of \(self) but its holder to die", timeout: timeout, interval: .milliseconds(20), detail: {
            processes().map(\.description).joined(separator: ", ")
        }) {
            let left = processes().filter { $0.pid != holderPID }
            for entry in left { kill(entry.pid, SIGKILL) }
            return left.isEmpty
        }
        let ip = GridEnvironment.path("ip")
        let script = """
            for ns in $(\(ip) netns list | cut -d' ' -f1); do \(ip) netns delete "$ns"; done
            for link in $(\(ip) -o link show | cut -d: -f2 | cut -d@ -f1); do
                case "$link" in lo|eth0) ;; *) \(ip) link delete "$link" 2>/dev/null || true ;; esac
            done
            \(GridEnvironment.path("nft")) flush ruleset
            echo 0 > /proc/sys/net/ipv4/ip_forward
            rm -f /run/wireguard/*
            """
        try shell(script)
        var state: NodeHostState?
        try Poll.require("\(self) to be as after a reboot", timeout: timeout, detail: { "\(String(describing: state))" }) {
            state = try hostState()
            guard let state else { return false }
            let others = state.links.filter { !$0.hasPrefix("lo#") && !$0.hasPrefix("eth0#") }
            // A link whose namespace is being freed may reappear in the listing until it goes.
            for line in others { _ = try? run([ip, "link", "delete", String(line.prefix { $0 != "#" })]) }
            return others.isEmpty && state.namespaces.isEmpty && state.tables.isEmpty
        }
    }
}
