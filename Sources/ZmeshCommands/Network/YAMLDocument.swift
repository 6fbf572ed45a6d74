import Yams
import ZmeshJSON

/// YAML spec files, read into the same ``JSONValue`` tree as JSON ones so that one schema walk checks
/// both. Stricter than YAML itself, to keep one meaning per file: non-string keys, anchors and
/// aliases, and several documents in one file are refused here; duplicate keys are refused by Yams's
/// parser already (tested in DeployerCommandTests).
enum YAMLDocument {
    /// Why a YAML text was refused.
    struct Problem: Error, CustomStringConvertible {
        let description: String
    }

    /// The document in `text` as a JSON value.
    static func value(_ text: String) throws(Problem) -> JSONValue {
        let root: Node?
        do { root = try Yams.compose(yaml: text) } catch { throw Problem(description: "invalid YAML: \(error)") }
        guard let root else { throw Problem(description: "the YAML document is empty") }
        return try value(root, path: "")
    }

    private static func value(_ node: Node, path: String) throws(Problem) -> JSONValue {
        switch node {
        case .scalar(let scalar):
            let tag = node.tag
            if tag == Tag(.null) { return .null }
            if tag == Tag(.bool) { return .bool(node.bool ?? false) }
            if tag == Tag(.int) {
                guard let number = node.int else {
                    throw Problem(description: "\(at(path))the integer \(scalar.string) is out of range")
                }
                return .number(String(number))
            }
            if tag == Tag(.float) { return .number(scalar.string) }
            return .string(scalar.string)
        case .sequence(let sequence):
            var elements: [JSONValue] = []
            for (i, element) in sequence.enumerated() { elements.append(try value(element, path: "\(path)[\(i)]")) }
            return .array(elements)
        case .mapping(let mapping):
            var members: [JSONMember] = []
            for (key, element) in mapping {
                guard case .scalar(let scalar) = key, key.tag == Tag(.str) else {
                    throw Problem(description: "\(at(path))keys must be strings")
                }
                let name = scalar.string
                let child = path.isEmpty ? name : "\(path).\(name)"
                members.append(JSONMember(name, try value(element, path: child)))
            }
            return .object(members)
        case .alias:
            throw Problem(description: "\(at(path))anchors and aliases are not supported in spec files")
        }
    }

    private static func at(_ path: String) -> String { path.isEmpty ? "" : "\(path): " }
}
