public import ArgumentParser
import Deployments

/// `zmesh deployment verify FILE [--previous FILE]`: validation, weighted multisig and, with a
/// previous version, the update rules — what a node checks before it touches a kernel.
public struct DeploymentVerify: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check a deployment's signatures, validity and (with --previous) update rules.",
        discussion: """
            Exits 0 when the deployment is valid, every required twin signed, every signature verifies \
            and the signed weight reaches the required weight; otherwise prints every problem with its \
            path in the document and exits 1. Signers' public keys are in the document and must hash \
            to their ids, so no key lookup is needed.
            """)

    @Argument(help: "The deployment document (JSON), or - for standard input.")
    public var file: String

    @Option(help: "The version in force; the deployment must be its next version, with the same owner and network.")
    public var previous: String?

    public init() {}

    public func run() throws {
        let deployment = try Self.read(file)
        let previousDeployment = try previous.map { path throws in try Self.read(path) }
        let (output, problems) = Self.check(deployment, previous: previousDeployment)
        CommandOutput.write(output)
        guard problems.isEmpty else {
            CommandOutput.error(DeploymentReport.problems(problems))
            throw ExitCode.failure
        }
    }

    /// The summary and every problem: validation, signatures, update rules.
    static func check(_ deployment: Deployment, previous: Deployment?) -> (
        output: String, problems: [DeploymentProblem]
    ) {
        let report = deployment.checkSignatures()
        var problems = deployment.validationProblems()
        for problem in report.problems where !problems.contains(problem) { problems.append(problem) }
        var output = DeploymentReport.summary(deployment, report)
        if let previous {
            switch previous.verdict(onUpdate: deployment) {
            case .accepted: output += "update:     follows version \(previous.version)\n"
            case .alreadyApplied: output += "update:     the same document as the previous one\n"
            case .refused(let error): problems += error.problems
            }
        }
        output += problems.isEmpty ? "valid\n" : "invalid: \(problems.count) problem\(problems.count == 1 ? "" : "s")\n"
        return (output, problems)
    }

    /// Reads and parses a deployment file, failing with every structural problem.
    static func read(_ path: String) throws -> Deployment {
        let bytes = try CommandOutput.read(path)
        do { return try Deployment(json: bytes) } catch {
            CommandOutput.error(DeploymentReport.problems(error.problems))
            throw CommandError("'\(path)' is not a deployment document")
        }
    }
}
