/// How a node (or the registry) treats a deployment of a network it already runs.
public enum UpdateVerdict: Sendable, Equatable {
    /// The update follows the rules: apply it.
    case accepted
    /// The same document again (same version, same digest): at-least-once delivery; nothing to do.
    case alreadyApplied
    /// The update breaks a rule: replayed, stale, skipping versions, or changing owner or network.
    case refused(DeploymentError)
}

extension Deployment {
    /// Whether `update` may replace this deployment (the one in force): the same owner, the same
    /// network name (so the same network id), and version exactly this version + 1. Older and equal
    /// versions are replays; a version further ahead skips one the owners signed in between.
    public func accepts(update: Deployment) -> Bool { verdict(onUpdate: update) == .accepted }

    /// The verdict on `update` replacing this deployment, with the rules it breaks.
    public func verdict(onUpdate update: Deployment) -> UpdateVerdict {
        if update.version == version, update.owner == owner, update.network.name == network.name,
            update.digest == digest
        {
            return .alreadyApplied
        }
        var problems = ProblemList()
        let root = DocumentPath.root
        if update.owner != owner {
            problems.add(root[Key.owner], "the owner cannot change (from \(owner) to \(update.owner))")
        }
        if update.network.name != network.name {
            problems.add(
                root[Key.network][Key.name],
                "the network name cannot change (from \(network.name) to \(update.network.name)): "
                    + "that is another network")
        }
        if update.version == version {
            problems.add(root[Key.version], "a different document with version \(version) was already applied")
        } else if update.version < version {
            problems.add(
                root[Key.version], "version \(update.version) is older than version \(version), which is in force")
        } else if version == Int64.max || update.version != version + 1 {
            problems.add(
                root[Key.version],
                "version \(update.version) skips ahead: the next version after \(version) is \(version &+ 1)")
        }
        return problems.isEmpty ? .accepted : .refused(DeploymentError(problems.problems))
    }

    /// Throws the rules `update` breaks; returns normally when it is accepted or already applied.
    public func checkUpdate(_ update: Deployment) throws(DeploymentError) {
        if case .refused(let error) = verdict(onUpdate: update) { throw error }
    }
}
