public import ZmeshModel

extension MeshPlan {
    /// What the wg-quick file says in place of the private key when the caller has none: wg-quick
    /// refuses it loudly (it is not a key), and the comment above it says which key belongs there.
    public static let privateKeyPlaceholder = "<paste-your-private-key-here>"

    /// The wg-quick file of access `name`, or `nil` when there is no such access.
    ///
    /// `[Interface]`: the device's addresses (`100.64.b.c/32` and the first host of its /64) and its
    /// private key — `privateKey` when given, else ``privateKeyPlaceholder`` under a comment naming the
    /// public key it must match. `[Peer]`: the access node, with the whole network as allowed IPs (the
    /// IPv4 range, 100.64.0.0/16 and the IPv6 range), its endpoint, and a 25 s keepalive.
    public func accessFile(_ name: String, privateKey: PrivateKey? = nil) -> String? {
        guard let access = access(name), let node = node(access.accessNode) else { return nil }
        var lines = [
            "# zmesh access '\(access.name)' to network \(network.name) (id \(network.id)) via node \(node.id)",
            "[Interface]",
        ]
        if let privateKey {
            lines.append("PrivateKey = \(privateKey.revealedBase64)")
        } else {
            lines.append("# The private key whose public key is \(access.publicKey)")
            lines.append("PrivateKey = \(Self.privateKeyPlaceholder)")
        }
        lines += [
            "Address = " + access.interfaceAddresses.map(\.description).joined(separator: ", "),
            "",
            "[Peer]",
            "PublicKey = \(node.publicKey)",
            "AllowedIPs = " + network.wholeNetwork.map(\.description).joined(separator: ", "),
            "Endpoint = \(access.endpoint)",
            "PersistentKeepalive = \(Self.keepaliveSeconds)",
        ]
        return lines.joined(separator: "\n") + "\n"
    }
}
