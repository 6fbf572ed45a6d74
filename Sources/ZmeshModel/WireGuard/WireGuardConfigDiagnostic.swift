/// A problem (or warning) found on one line of a WireGuard configuration file.
public struct WireGuardConfigDiagnostic: Sendable, Equatable, CustomStringConvertible {
    /// 1-based line number.
    public var line: Int
    /// What is wrong, naming the offending value (keys are never repeated).
    public var message: String

    public init(line: Int, message: String) {
        self.line = line
        self.message = message
    }

    public var description: String { "line \(line): \(message)" }
}

/// Every problem found in a WireGuard configuration file, in line order.
public struct WireGuardConfigErrors: Error, Sendable, Equatable, CustomStringConvertible {
    public var diagnostics: [WireGuardConfigDiagnostic]

    public init(_ diagnostics: [WireGuardConfigDiagnostic]) { self.diagnostics = diagnostics }

    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}
