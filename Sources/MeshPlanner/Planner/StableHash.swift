/// Hashes that are the same in every process and on every machine (Swift's `Hasher` is seeded per
/// process, so it must never decide anything the plan contains).
enum StableHash {
    /// FNV-1a, 64 bits, over the UTF-8 of `parts` separated by 0 bytes.
    static func fnv1a(_ parts: String...) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for (i, part) in parts.enumerated() {
            if i > 0 { hash = (hash ^ 0) &* 0x0000_0100_0000_01b3 }
            for byte in part.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        }
        return hash
    }

    /// SplitMix64's finaliser: spreads the bits of `x` (used to combine two FNV hashes into a
    /// rendezvous score).
    static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9e37_79b9_7f4a_7c15
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
