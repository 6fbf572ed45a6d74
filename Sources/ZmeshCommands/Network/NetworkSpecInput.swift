import MeshPlanner
import ZmeshCrypto
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
