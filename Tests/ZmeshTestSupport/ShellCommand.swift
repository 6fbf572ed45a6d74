import Foundation
import SystemSupport

/// Runs fixture commands (`ip`, `ss`, `ping`, `nft`) and returns their standard output.
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

    /// The full path of `name` on `PATH`, then `/usr/sbin`, `/usr/bin`, `/sbin`, `/bin` (root tools are
    /// not always on a test's PATH): ``SystemSupport/SpawnedProcess/locate(_:)``.
    public static func locate(_ name: String) -> String? { SpawnedProcess.locate(name) }

    /// Runs `arguments[0]` with the rest as arguments; throws ``Failure`` on a non-zero exit.
    @discardableResult
    public static func run(_ arguments: [String]) throws -> String {
        let (status, output, errorOutput) = try execute(arguments)
        guard status == 0 else { throw Failure(command: arguments, status: status, output: output, errorOutput: errorOutput) }
        return output
    }

    /// Whether the command exits 0.
    public static func succeeds(_ arguments: [String]) -> Bool { (try? execute(arguments).status) == 0 }

    /// Runs the command with standard output and standard error each going to an unlinked temporary
    /// file, read once it has exited. (Pipes read one after the other deadlock as soon as the child
    /// fills the buffer of the pipe not being read; files never block the writer.) SystemSupport's
    /// ``SystemSupport/SpawnedProcess/run(_:_:environment:)`` merges the two streams, and callers
    /// here parse standard output alone, so this keeps them apart.
    private static func execute(_ arguments: [String]) throws -> (status: Int32, output: String, errorOutput: String) {
        guard let first = arguments.first, let executable = locate(first) else {
            throw Failure(command: arguments, status: 127, output: "", errorOutput: "not found")
        }
        let output = try CaptureFile()
        let errorOutput = try CaptureFile()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = Array(arguments.dropFirst())
        process.standardOutput = output.handle
        process.standardError = errorOutput.handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return (process.terminationStatus, try output.contents(), try errorOutput.contents())
    }
}

/// An unlinked temporary file a child writes one stream into; read back from the start once the
/// child has exited. Nothing to remove: the file goes with its last descriptor.
private final class CaptureFile {
    let handle: FileHandle

    init() throws {
        // Close-on-exec: only the child started with it as stdout or stderr gets it (as a dup).
        let fd = try Descriptors.unlinkedTemporaryFile(prefix: "zmesh-capture")
        handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
    }

    /// Everything written so far, as text.
    func contents() throws -> String {
        try handle.seek(toOffset: 0)
        return String(decoding: try handle.readToEnd() ?? Data(), as: UTF8.self)
    }
}
