extension QRCode {
    /// The module grid while it is being built: which modules are dark, and which belong to function
    /// patterns (finders, timing, alignment, format and version information), which masks leave alone.
    struct Matrix {
        let version: Int
        let size: Int
        var modules: [Bool]
        var isFunction: [Bool]

        init(version: Int) {
            self.version = version
            size = 17 + 4 * version
            modules = [Bool](repeating: false, count: size * size)
            isFunction = modules
        }

        subscript(x: Int, y: Int) -> Bool {
            get { modules[y * size + x] }
            set { modules[y * size + x] = newValue }
        }

        mutating func setFunction(_ x: Int, _ y: Int, _ dark: Bool) {
            self[x, y] = dark
            isFunction[y * size + x] = true
        }

        /// Timing patterns, the three finders with their separators, alignment patterns, format
        /// information (as a placeholder) and version information.
        mutating func drawFunctionPatterns(errorCorrection: ErrorCorrection) {
            for i in 0..<size {
                setFunction(6, i, i % 2 == 0)
                setFunction(i, 6, i % 2 == 0)
            }
            for (x, y) in [(3, 3), (size - 4, 3), (3, size - 4)] {
                for dy in -4...4 {
                    for dx in -4...4 where (0..<size).contains(x + dx) && (0..<size).contains(y + dy) {
                        let distance = max(abs(dx), abs(dy))
                        setFunction(x + dx, y + dy, distance != 2 && distance != 4)
                    }
                }
            }
            let positions = alignmentPositions
            let last = positions.count - 1
            for (i, px) in positions.enumerated() {
                for (j, py) in positions.enumerated()
                where !(i == 0 && j == 0 || i == 0 && j == last || i == last && j == 0) {
                    for dy in -2...2 {
                        for dx in -2...2 { setFunction(px + dx, py + dy, max(abs(dx), abs(dy)) != 1) }
                    }
                }
            }
            drawFormatBits(errorCorrection: errorCorrection, mask: 0)
            drawVersion()
        }

        /// Centres of the alignment patterns along one axis.
        var alignmentPositions: [Int] {
            guard version > 1 else { return [] }
            let count = version / 7 + 2
            let step = (version * 8 + count * 3 + 5) / (count * 4 - 4) * 2
            var result = [6]
            for k in stride(from: count - 1, through: 1, by: -1) {
                result.insert(size - 7 - (count - 1 - k) * step, at: 1)
            }
            return result
        }

        /// The 15 format bits (level, mask, BCH code, XOR mask), both copies, and the dark module.
        mutating func drawFormatBits(errorCorrection: ErrorCorrection, mask: Int) {
            let data = errorCorrection.formatBits << 3 | mask
            var remainder = data
            for _ in 0..<10 { remainder = (remainder << 1) ^ ((remainder >> 9) * 0x537) }
            let bits = (data << 10 | remainder) ^ 0x5412
            func bit(_ i: Int) -> Bool { bits >> i & 1 == 1 }
            for i in 0...5 { setFunction(8, i, bit(i)) }
            setFunction(8, 7, bit(6))
            setFunction(8, 8, bit(7))
            setFunction(7, 8, bit(8))
            for i in 9..<15 { setFunction(14 - i, 8, bit(i)) }
            for i in 0..<8 { setFunction(size - 1 - i, 8, bit(i)) }
            for i in 8..<15 { setFunction(8, size - 15 + i, bit(i)) }
            setFunction(8, size - 8, true)
        }

        /// The 18 version bits (versions 7 and up), both copies.
        mutating func drawVersion() {
            guard version >= 7 else { return }
            var remainder = version
            for _ in 0..<12 { remainder = (remainder << 1) ^ ((remainder >> 11) * 0x1F25) }
            let bits = version << 12 | remainder
            for i in 0..<18 {
                let dark = bits >> i & 1 == 1
                let a = size - 11 + i % 3
                let b = i / 3
                setFunction(a, b, dark)
                setFunction(b, a, dark)
            }
        }

        /// Places the codewords in the zigzag order, two columns at a time from the right, skipping
        /// the vertical timing column and function modules.
        mutating func drawCodewords(_ data: [UInt8]) {
            var i = 0
            var right = size - 1
            while right >= 1 {
                if right == 6 { right = 5 }
                for vertical in 0..<size {
                    for j in 0..<2 {
                        let x = right - j
                        let upward = (right + 1) & 2 == 0
                        let y = upward ? size - 1 - vertical : vertical
                        if !isFunction[y * size + x], i < data.count * 8 {
                            self[x, y] = data[i >> 3] >> (7 - UInt8(i & 7)) & 1 == 1
                            i += 1
                        }
                    }
                }
                right -= 2
            }
        }

        /// Inverts the data modules where mask pattern `mask` says so (applying it twice undoes it).
        mutating func apply(mask: Int) {
            for y in 0..<size {
                for x in 0..<size where !isFunction[y * size + x] {
                    let invert: Bool =
                        switch mask {
                        case 0: (x + y) % 2 == 0
                        case 1: y % 2 == 0
                        case 2: x % 3 == 0
                        case 3: (x + y) % 3 == 0
                        case 4: (x / 3 + y / 2) % 2 == 0
                        case 5: x * y % 2 + x * y % 3 == 0
                        case 6: (x * y % 2 + x * y % 3) % 2 == 0
                        default: ((x + y) % 2 + x * y % 3) % 2 == 0
                        }
                    if invert { self[x, y].toggle() }
                }
            }
        }

        /// The penalty score of the symbol with `mask` applied (runs, 2×2 blocks, finder-like patterns,
        /// dark/light balance), as ISO/IEC 18004 defines it.
        func penalty(mask: Int, errorCorrection: ErrorCorrection) -> Int {
            var masked = self
            masked.apply(mask: mask)
            masked.drawFormatBits(errorCorrection: errorCorrection, mask: mask)
            return masked.penaltyScore
        }

        private var penaltyScore: Int {
            var result = 0
            for line in 0..<size {
                result += linePenalty { self[$0, line] }
                result += linePenalty { self[line, $0] }
            }
            for y in 0..<(size - 1) {
                for x in 0..<(size - 1) {
                    let c = self[x, y]
                    if c == self[x + 1, y], c == self[x, y + 1], c == self[x + 1, y + 1] { result += 3 }
                }
            }
            let dark = modules.reduce(0) { $0 + ($1 ? 1 : 0) }
            let total = size * size
            let k = (abs(dark * 20 - total * 10) + total - 1) / total - 1
            return result + k * 10
        }

        /// Runs of five or more (3, plus 1 per extra module) and finder-like 1:1:3:1:1 patterns with
        /// four light modules on a side (40 each) along one row or column; outside the symbol is light.
        private func linePenalty(_ module: (Int) -> Bool) -> Int {
            var result = 0
            var color = false
            var run = 0
            var history = [Int](repeating: 0, count: 7)
            func push(_ length: Int) {
                history.insert(history[0] == 0 ? length + size : length, at: 0)
                history.removeLast()
            }
            func finderLike() -> Int {
                let n = history[1]
                let core = n > 0 && history[2] == n && history[3] == n * 3 && history[4] == n && history[5] == n
                return (core && history[0] >= n * 4 && history[6] >= n ? 1 : 0)
                    + (core && history[6] >= n * 4 && history[0] >= n ? 1 : 0)
            }
            for i in 0..<size {
                if module(i) == color {
                    run += 1
                    if run == 5 { result += 3 } else if run > 5 { result += 1 }
                } else {
                    push(run)
                    if !color { result += finderLike() * 40 }
                    color = module(i)
                    run = 1
                }
            }
            if color {
                push(run)
                run = 0
            }
            push(run + size)
            return result + finderLike() * 40
        }
    }
}
