#if canImport(Glibc)
import Glibc
#endif

extension SpawnedProcess {
    /// What a finished program left: how it ended and everything it wrote to stdout and stderr.
    public struct Completion: Sendable {
        public let status: ExitStatus
        public let output: [UInt8]

        public var succeeded: Bool { status == .exited(0) }
        public var outputText: String { String(decoding: output, as: UTF8.self) }
    }

    /// Runs a program to completion from the calling thread (so in that thread's network namespace),
    /// collecting its combined stdout and stderr through a pipe, and reaps it with a blocking `waitpid`.
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String] = SpawnedProcess.currentEnvironment()
    ) throws(SystemError) -> Completion {
        let (readEnd, writeEnd) = try Descriptors.pipe(executable)
        let process: SpawnedProcess
        do {
            process = try spawn(
                executable: executable, arguments: arguments, environment: environment, output: writeEnd,
                newProcessGroup: false)
        } catch {
            close(readEnd)
            close(writeEnd)
            throw error
        }
        close(writeEnd)
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(readEnd, $0.baseAddress, $0.count) }
            if count > 0 {
                output.append(contentsOf: chunk[0..<count])
            } else if count == 0 || errno != EINTR {
                break
            }
        }
        close(readEnd)
        var status: Int32 = 0
        while waitpid(process.id, &status, 0) == -1 {
            guard errno == EINTR else { throw SystemError("wait for", process.description, errno: errno) }
        }
        return Completion(status: ExitStatus(waitStatus: status), output: output)
    }

    /// The first executable `name` in `PATH` (then `/usr/sbin`, `/usr/bin`, `/sbin`, `/bin`), or `nil`.
    public static func locate(_ name: String) -> String? {
        if name.contains("/") { return access(name, X_OK) == 0 ? name : nil }
        let path = getenv("PATH").map { String(cString: $0) } ?? ""
        let directories = path.split(separator: ":").map(String.init) + ["/usr/sbin", "/usr/bin", "/sbin", "/bin"]
        return directories.lazy.map { "\($0)/\(name)" }.first { access($0, X_OK) == 0 }
    }
}
