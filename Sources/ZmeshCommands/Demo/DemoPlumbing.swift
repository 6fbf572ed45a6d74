import Foundation

/// The namespace and address plumbing of the demo, done with iproute2 until zmesh's own primitives
/// (RouteNL, named namespaces) replace it. Only namespaces the demo created are touched.
enum DemoPlumbing {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Runs a program and returns its standard output; throws with its standard error when it fails.
    @discardableResult
    static func run(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try locate(arguments[0]))
        process.arguments = Array(arguments.dropFirst())
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "\(arguments.joined(separator: " ")): \(String(decoding: errors, as: UTF8.self))")
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Whether a program succeeds (for pings).
    static func succeeds(_ arguments: [String]) -> Bool { (try? run(arguments)) != nil }

    static func locate(_ program: String) throws -> String {
        for dir in ["/usr/sbin", "/usr/bin", "/sbin", "/bin"] where FileManager.default.isExecutableFile(atPath: "\(dir)/\(program)") {
            return "\(dir)/\(program)"
        }
        throw Failure(description: "\(program) is not installed (scripts/install-deps.sh installs it)")
    }
}
