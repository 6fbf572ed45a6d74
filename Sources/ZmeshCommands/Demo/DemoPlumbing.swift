import SystemSupport

/// The namespace and address plumbing of the demo, done with iproute2 until zmesh's own primitives
/// (RouteNL, named namespaces) replace it. Only namespaces the demo created are touched.
enum DemoPlumbing {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Runs a program and returns its output; throws with that output when it fails.
    @discardableResult
    static func run(_ arguments: [String]) throws -> String {
        guard let executable = SpawnedProcess.locate(arguments[0]) else {
            throw Failure(description: "\(arguments[0]) is not installed (scripts/install-deps.sh installs it)")
        }
        let completion = try SpawnedProcess.run(executable, Array(arguments.dropFirst()))
        guard completion.succeeded else {
            throw Failure(description: "\(arguments.joined(separator: " ")) \(completion.status): \(completion.outputText)")
        }
        return completion.outputText
    }

    /// Whether a program succeeds (for pings).
    static func succeeds(_ arguments: [String]) -> Bool { (try? run(arguments)) != nil }
}
