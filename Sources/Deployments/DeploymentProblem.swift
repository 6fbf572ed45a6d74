/// One thing wrong with a deployment, located by its path in the JSON document
/// (`nodes[2].peers[0].endpoint`); the path is empty for the document as a whole.
public struct DeploymentProblem: Sendable, Hashable, CustomStringConvertible {
    /// Member names joined by `.`, array indices in brackets; empty for the whole document.
    public let path: String
    /// What is wrong, for people. Never contains secret material.
    public let message: String

    /// A problem at `path` (see ``path``).
    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}

/// A deployment that cannot be used, with every problem found (not just the first).
public struct DeploymentError: Error, Sendable, Equatable, CustomStringConvertible {
    /// At least one problem, in document order.
    public let problems: [DeploymentProblem]

    /// An error listing `problems` (at least one).
    public init(_ problems: [DeploymentProblem]) { self.problems = problems }

    /// An error with one problem.
    public init(path: String, _ message: String) { self.init([DeploymentProblem(path: path, message: message)]) }

    /// One problem per line.
    public var description: String { problems.map(\.description).joined(separator: "\n") }
}

/// A location in the document, built up while walking it.
struct DocumentPath: Sendable, Hashable, CustomStringConvertible {
    private(set) var text: String

    static let root = DocumentPath(text: "")

    /// The member `name` of this object.
    func member(_ name: String) -> DocumentPath { DocumentPath(text: text.isEmpty ? name : "\(text).\(name)") }

    /// Element `index` of this array.
    func element(_ index: Int) -> DocumentPath { DocumentPath(text: "\(text)[\(index)]") }

    subscript(_ name: String) -> DocumentPath { member(name) }
    subscript(_ index: Int) -> DocumentPath { element(index) }

    var description: String { text }
}

/// Collects problems while checking a document.
struct ProblemList {
    private(set) var problems: [DeploymentProblem] = []

    var isEmpty: Bool { problems.isEmpty }

    mutating func add(_ path: DocumentPath, _ message: String) {
        problems.append(DeploymentProblem(path: path.description, message: message))
    }

    mutating func add(contentsOf other: ProblemList) { problems += other.problems }

    /// Throws the collected problems, if any.
    func throwIfAny() throws(DeploymentError) {
        if !problems.isEmpty { throw DeploymentError(problems) }
    }
}
