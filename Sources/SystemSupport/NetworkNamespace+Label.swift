extension NetworkNamespace {
    /// How errors and logs name a namespace: `namespace NAME` for one iproute2 names
    /// (`/run/netns/NAME`), `namespace PATH` for any other path (`/proc/PID/ns/net`), and "the
    /// calling thread's namespace" for `nil` — what the network libraries take to mean "here".
    /// One wording for RouteNL, Firewall and whatever else reports per-namespace failures.
    public static func label(_ namespace: NetworkNamespace?) -> String {
        guard let namespace else { return "the calling thread's namespace" }
        return "namespace \(namespace.name ?? namespace.path)"
    }
}
