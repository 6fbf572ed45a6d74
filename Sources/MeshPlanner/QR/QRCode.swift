/// A QR code (ISO/IEC 18004, model 2) holding bytes in byte mode: the smallest version (1–40) that
/// fits at the chosen error correction level, the mask with the lowest penalty. Pure Swift, for
/// showing a wg-quick file to a phone in a terminal.
public struct QRCode: Sendable, Hashable {
    /// How much of the symbol may be damaged and still read.
    public enum ErrorCorrection: Int, Sendable, Hashable, CaseIterable {
        /// About 7 % of codewords.
        case low = 0
        /// About 15 %.
        case medium = 1
        /// About 25 %.
        case quartile = 2
        /// About 30 %.
        case high = 3

        /// The two format-information bits of the level.
        var formatBits: Int { [1, 0, 3, 2][rawValue] }
    }

    /// Why bytes could not be encoded.
    public enum EncodingError: Error, Sendable, Equatable, CustomStringConvertible {
        /// More bytes than version 40 holds at this level.
        case tooLong(bytes: Int, maximum: Int)
        /// A version or mask outside 1–40 or 0–7 was asked for.
        case invalidParameter(String)

        public var description: String {
            switch self {
            case .tooLong(let bytes, let maximum):
                "\(bytes) bytes do not fit in a QR code at this error correction level (at most \(maximum))"
            case .invalidParameter(let what): what
            }
        }
    }

    /// The version, 1–40 (the symbol is 17 + 4 × version modules wide).
    public let version: Int
    /// The error correction level.
    public let errorCorrection: ErrorCorrection
    /// The mask pattern applied, 0–7.
    public let mask: Int
    /// Modules per side.
    public let size: Int
    /// Row-major, `true` for dark.
    public let modules: [Bool]

    /// Encodes `bytes`, choosing the smallest version from `minimumVersion` on and, unless `mask` is
    /// given, the mask with the lowest penalty score.
    public init(
        encoding bytes: [UInt8], errorCorrection: ErrorCorrection = .low, minimumVersion: Int = 1, mask: Int? = nil
    ) throws(EncodingError) {
        guard (1...40).contains(minimumVersion) else {
            throw .invalidParameter("version \(minimumVersion) is not 1–40")
        }
        if let mask, !(0...7).contains(mask) { throw .invalidParameter("mask \(mask) is not 0–7") }
        var chosen: Int?
        for version in minimumVersion...40
        where Self.dataBits(bytes.count, version: version) <= Self.dataCapacity(version, errorCorrection) * 8 {
            chosen = version
            break
        }
        guard let version = chosen else {
            throw .tooLong(bytes: bytes.count, maximum: Self.dataCapacity(40, errorCorrection) - 3)
        }
        let codewords = Self.codewords(bytes, version: version, errorCorrection: errorCorrection)
        var matrix = Matrix(version: version)
        matrix.drawFunctionPatterns(errorCorrection: errorCorrection)
        matrix.drawCodewords(codewords)
        let best =
            mask
            ?? (0..<8).min { a, b in
                matrix.penalty(mask: a, errorCorrection: errorCorrection)
                    < matrix.penalty(mask: b, errorCorrection: errorCorrection)
            } ?? 0
        matrix.apply(mask: best)
        matrix.drawFormatBits(errorCorrection: errorCorrection, mask: best)
        self.version = version
        self.errorCorrection = errorCorrection
        self.mask = best
        size = matrix.size
        modules = matrix.modules
    }

    /// Encodes the UTF-8 of `text`.
    public init(encoding text: String, errorCorrection: ErrorCorrection = .low) throws(EncodingError) {
        try self.init(encoding: Array(text.utf8), errorCorrection: errorCorrection)
    }

    /// Whether the module at column `x`, row `y` is dark (outside the symbol: light).
    public func isDark(x: Int, y: Int) -> Bool {
        x >= 0 && y >= 0 && x < size && y < size && modules[y * size + x]
    }

    /// The symbol for a terminal: two module rows per text line with the half-block characters
    /// (`▀`, `▄`, `█`, space), in black on a white background set by ANSI escapes so that it scans on
    /// dark and light terminals alike, surrounded by a `quietZone` of light modules.
    public func terminalText(quietZone: Int = 2) -> String {
        var out = ""
        var y = -quietZone
        while y < size + quietZone {
            out += "\u{1B}[30;107m"
            for x in -quietZone..<(size + quietZone) {
                switch (isDark(x: x, y: y), isDark(x: x, y: y + 1)) {
                case (true, true): out += "█"
                case (true, false): out += "▀"
                case (false, true): out += "▄"
                case (false, false): out += " "
                }
            }
            out += "\u{1B}[0m\n"
            y += 2
        }
        return out
    }

    /// The symbol as rows of `#` (dark) and `.` (light), for tests and plain files.
    public var asciiArt: String {
        (0..<size).map { y in String((0..<size).map { x in isDark(x: x, y: y) ? "#" : "." }) }.joined(separator: "\n")
    }
}
