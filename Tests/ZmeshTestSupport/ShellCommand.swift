import Foundation

/// Runs fixture commands (`ip`, `ss`, `ping`) and returns their standard output.
public enum ShellCommand {
    /// A command that exited non-zero, with what it printed on standard error.
    public struct Failure: Error, CustomStringConvertible {
        public let command: [String]
        public let status: Int32
        public let output: String
        public let errorOutput: String

        public var description: String {
            "`\(command.joined(separator: " "))` exited with \(status): \(errorOutput.isEmpty ? output : errorOutput)"
        }
    }

    /// The full path of `name` on `PATH`, `/usr/sbin` or `/sbin` (root tools are not always on a test's PATH).
    public static func locate(_ name: String) -> String? {
        if name.hasPrefix("/") { return FileManager.default.isExecutableFile(atPath: name) ? name : nil }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let directories = path.split(separator: ":").map(String.init) + ["/usr/sbin", "/sbin", "/usr/bin", "/bin"]
        return directories.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs `arguments[0]` with the rest as arguments; throws ``Failure`` on a non-zero exit.
    @discardableResult
    public static func run(_ arguments: [String]) throws -> String {
        let (status, output, errorOutput) = try execute(arguments)
        guard status == 0 else { throw Failure(command: arguments, status: status, output: output, errorOutput: errorOutput) }
        return output
    }

    /// Whether the command exits 0.
    public static func succeeds(_ arguments: [String]) -> Bool { (try? execute(arguments).status) == 0 }

    private static func execute(_ arguments: [String]) throws -> (status: Int32, output: String, errorOutput: String) {
        guard let first = arguments.first, let executable = locate(first) else {
            throw Failure(command: arguments, status: 127, output: "", errorOutput: "not found")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = Array(arguments.dropFirst())
        let output = Pipe()
        let errorOutput = Pipe()
        process.standardOutput = output
        process.standardError = errorOutput
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Small outputs only (fixture commands): read stdout, then stderr, then wait.
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errorOutput.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
    }
}
