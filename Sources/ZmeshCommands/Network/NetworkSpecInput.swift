import MeshPlanner
import ZmeshCrypto
import ZmeshJSON
import ZmeshModel

/// Reading spec files and previous plans for the `network` verbs, with their problems printed.
enum NetworkSpecInput {
    /// The spec file at `path` (or standard input for `-`).
    static func spec(_ path: String) throws -> NetworkSpecFile {
        let bytes = try CommandOutput.read(path, limit: NetworkSpecFile.maximumSize)
        do { return try NetworkSpecFile(json: bytes) } catch {
            CommandOutput.error(error.problems.map { "error: \($0)\n" }.joined())
            throw CommandError("'\(path)' is not a network spec (see docs/mesh-planner.md)")
        }
    }

    /// The deployment spec at `path` (or standard input for `-`): YAML when the name ends in `.yaml` or
    /// `.yml`, JSON when it ends in `.json`, otherwise JSON if the text starts with `{`, else YAML.
    static func deploymentSpec(_ path: String) throws -> DeploymentSpec {
        let bytes = try CommandOutput.read(path, limit: DeploymentSpec.maximumSize)
        let lowered = path.lowercased()
        let isJSON =
            lowered.hasSuffix(".json")
            || (!lowered.hasSuffix(".yaml") && !lowered.hasSuffix(".yml")
                && bytes.first { ![0x20, 0x09, 0x0a, 0x0d].contains($0) } == UInt8(ascii: "{"))
        do {
            if isJSON { return try DeploymentSpec(json: bytes) }
            guard let text = String(validating: bytes, as: UTF8.self) else {
                throw CommandError("'\(path)' is not UTF-8 text")
            }
            return try DeploymentSpec(value: try YAMLDocument.value(text))
        } catch let error as DocumentError {
            CommandOutput.error(error.problems.map { "error: \($0)\n" }.joined())
        } catch let error as YAMLDocument.Problem {
            CommandOutput.error("error: \(error)\n")
        }
        throw CommandError("'\(path)' is not a network deployment spec (see docs/deploying.md)")
    }

    /// The previous plan at `path`, as `zmesh network plan --json` wrote it.
    static func previous(_ path: String) throws -> PreviousPlan {
        let bytes = try CommandOutput.read(path)
        do { return try PreviousPlan(json: bytes) } catch {
            CommandOutput.error(error.problems.map { "error: \($0)\n" }.joined())
            throw CommandError("'\(path)' is not a plan written by 'zmesh network plan --json'")
        }
    }

    /// The plan, or the planner's refusal as the command's error.
    static func plan(_ spec: NetworkSpec, previous: PreviousPlan?) throws(CommandError) -> MeshPlan {
        do { return try NetworkPlanner.plan(spec, previous: previous) } catch { throw CommandError(error.description) }
    }

    /// A key that stands in for an access that has none yet, when planning another access's file: an
    /// access's place in the plan does not depend on its key, and this key is never printed.
    static func standInKey(for name: String) -> WireGuardKey {
        WireGuardKey(bytes: BLAKE2b.hash256(Array("zmesh stand-in access key\u{0}\(name)".utf8)).bytes) ?? .zero
    }
}
