@testable import Deployments
import DeploymentTestSupport

extension Fixtures {
    /// Every problem reading `json` and validating it.
    static func problems(_ json: String, context: ValidationContext = ValidationContext()) -> [DeploymentProblem] {
        do {
            return try Deployment(json: json).validationProblems(context: context)
        } catch {
            return error.problems
        }
    }
}

/// SplitMix64: a small deterministic generator for property tests driven by one seed.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
