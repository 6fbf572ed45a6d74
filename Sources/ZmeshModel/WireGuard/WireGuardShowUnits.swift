/// The human units of `wg show`: durations ("1 minute, 3 seconds") and byte counts ("1.23 KiB"),
/// written exactly as wireguard-tools' `show.c` writes them, with or without its terminal colours.
public enum WireGuardShowUnits {
    /// A duration in years (of 365 days), days, hours, minutes and seconds, zero parts left out,
    /// joined by ", ": `1 year, 2 days, 1 second`. Zero seconds is the empty string, as in `wg`.
    public static func duration(_ seconds: UInt64, colors: Bool = false) -> String {
        let parts: [(UInt64, String)] = [
            (seconds / 31_536_000, "year"), (seconds % 31_536_000 / 86_400, "day"), (seconds % 86_400 / 3_600, "hour"),
            (seconds % 3_600 / 60, "minute"), (seconds % 60, "second"),
        ]
        var out = ""
        for (count, unit) in parts where count != 0 {
            if !out.isEmpty { out += ", " }
            out += String(count)
            out += " "
            out += TerminalStyle.cyan.on(colors)
            out += count == 1 ? unit : unit + "s"
            out += TerminalStyle.reset.on(colors)
        }
        return out
    }

    /// How long ago a handshake was, seen at `now` (seconds since the epoch): "Now", "5 seconds ago",
    /// or `wg`'s warning when the handshake lies in the future.
    public static func ago(_ handshake: Timestamp, now: Int64, colors: Bool = false) -> String {
        if now == handshake.seconds { return "Now" }
        if now < handshake.seconds {
            return "(" + TerminalStyle.red.on(colors) + "System clock wound backward; connection problems may ensue."
                + TerminalStyle.reset.on(colors) + ")"
        }
        return duration(UInt64(truncatingIfNeeded: now &- handshake.seconds), colors: colors) + " ago"
    }

    /// A byte count: below 1 KiB as an integer with "B", otherwise in KiB, MiB, GiB or TiB with two
    /// decimals, rounded exactly as C's `printf("%.2f", (double)bytes / 1024…)` rounds (half to even).
    public static func bytes(_ count: UInt64, colors: Bool = false) -> String {
        let unit: String
        let shift: Int
        switch count {
        case ..<1024: return String(count) + " " + TerminalStyle.cyan.on(colors) + "B" + TerminalStyle.reset.on(colors)
        case ..<(1 << 20): (unit, shift) = ("KiB", 10)
        case ..<(1 << 30): (unit, shift) = ("MiB", 20)
        case ..<(1 << 40): (unit, shift) = ("GiB", 30)
        default: (unit, shift) = ("TiB", 40)
        }
        return twoDecimals(ofDoubleOf: count, dividedByTwoToThe: shift) + " " + TerminalStyle.cyan.on(colors) + unit
            + TerminalStyle.reset.on(colors)
    }

    /// `%.2f` of `Double(count) / 2^shift`, computed exactly: the quotient of a double by a power of two
    /// is exact, so only the final rounding to hundredths matters, and glibc rounds ties to even.
    static func twoDecimals(ofDoubleOf count: UInt64, dividedByTwoToThe shift: Int) -> String {
        let asDouble = Double(count)  // C's (double) cast: may round up, to 2^64 at most
        let mask = (UInt64(1) << shift) - 1
        let whole: UInt64
        let fraction: UInt64
        if asDouble >= 18_446_744_073_709_551_616.0 {
            (whole, fraction) = (UInt64(1) << (64 - shift), 0)
        } else {
            let exact = UInt64(asDouble)
            (whole, fraction) = (exact >> shift, exact & mask)
        }
        let scaled = fraction * 100  // < 2^47
        var hundredths = whole * 100 + (scaled >> shift)
        let remainder = scaled & mask
        let half = UInt64(1) << (shift - 1)
        if remainder > half || (remainder == half && hundredths & 1 == 1) { hundredths += 1 }
        let cents = hundredths % 100
        return String(hundredths / 100) + (cents < 10 ? ".0" : ".") + String(cents)
    }
}

/// The escape sequences `wg` colours its output with (`terminal.h`).
enum TerminalStyle: String {
    case reset = "\u{1B}[0m"
    case bold = "\u{1B}[1m"
    case red = "\u{1B}[31m"
    case green = "\u{1B}[32m"
    case yellow = "\u{1B}[33m"
    case cyan = "\u{1B}[36m"

    /// The sequence when colouring, else nothing.
    func on(_ colors: Bool) -> String { colors ? rawValue : "" }
}
