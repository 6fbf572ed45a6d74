import ArgumentParser

/// A failure of a `zmesh wg` verb, with a message that names the offending value and interface
/// (and never key material).
public struct WGCommandError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}

/// What a `zmesh wg` verb prints and its exit status, collected so that tests can compare the bytes
/// and the binary can write them in one go.
public struct WGOutput: Sendable, Equatable {
    public var standardOutput = ""
    public var standardError = ""
    /// Non-zero when the verb failed after printing something (`wg show all` with no readable device).
    public var exitCode: Int32 = 0

    public init() {}

    /// Runs a verb's body and writes what it printed; a thrown error is left to ArgumentParser, which
    /// prints it on stderr and exits non-zero.
    static func run(_ body: (inout WGOutput) throws -> Void) throws {
        var output = WGOutput()
        defer {
            WGIO.write(output.standardOutput, to: 1)
            WGIO.write(output.standardError, to: 2)
        }
        try body(&output)
        if output.exitCode != 0 { throw ExitCode(output.exitCode) }
    }
}
