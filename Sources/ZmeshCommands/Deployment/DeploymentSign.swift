public import ArgumentParser
import Deployments
import ZmeshCrypto

/// `zmesh deployment sign FILE --identity PATH [--output PATH]`: adds the identity's signature.
public struct DeploymentSign: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "sign",
        abstract: "Sign a deployment with an identity (a twin listed in its signature requests).",
        discussion: """
            The document must be valid; a signature of the identity made earlier is replaced. The file \
            is rewritten in place (atomically) unless --output is given.
            """)

    @Argument(help: "The deployment document (JSON).")
    public var file: String

    @Option(help: "The signer's identity file (mode 0600).")
    public var identity: String

    @Option(help: "Where to write the signed document (- for standard output); default: FILE itself.")
    public var output: String?

    public init() {}

    public func run() throws {
        var deployment = try DeploymentVerify.read(file)
        let problems = deployment.validationProblems()
        guard problems.isEmpty else {
            CommandOutput.error(DeploymentReport.problems(problems))
            throw CommandError("not signing '\(file)': the deployment is invalid")
        }
        let signer = try IdentityFile.load(from: identity)
        try deployment.sign(with: signer)
        let destination = output ?? file
        try CommandOutput.replace(destination, with: deployment.json())
        let report = deployment.checkSignatures()
        var summary = "signed by \(signer.id)\n" + DeploymentReport.summary(deployment, report)
        summary += report.isValid ? "complete: the deployment is validly signed\n" : "awaiting more signatures\n"
        if destination == "-" { CommandOutput.error(summary) } else { CommandOutput.write(summary) }
    }
}
