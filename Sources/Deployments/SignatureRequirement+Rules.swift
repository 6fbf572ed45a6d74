import ZmeshCrypto
import ZmeshModel

extension Deployment.SignatureRequirement {
    /// The largest weight one request may carry.
    public static let maximumWeight: Int64 = 4_294_967_295
    /// The most signature requests a deployment may list.
    public static let maximumRequests = 256

    /// A request whose twin id parsed, with its position.
    struct CheckedRequest {
        let index: Int
        let twin: IdentityID
        let weight: Int64
        let required: Bool
    }

    /// Checks the requirement's own rules — at least one request, well-formed and distinct twins,
    /// weights in range, the owner a required signer, a reachable `weight_required` of at least 1 —
    /// and returns the well-formed requests by twin.
    func check(owner: String, at path: DocumentPath, into problems: inout ProblemList) -> [IdentityID: CheckedRequest] {
        let requestsPath = path[Deployment.Key.requests]
        var byTwin: [IdentityID: CheckedRequest] = [:]
        if requests.isEmpty { problems.add(requestsPath, "at least one signature request is needed") }
        if requests.count > Self.maximumRequests {
            problems.add(requestsPath, "\(requests.count) requests; at most \(Self.maximumRequests) are allowed")
        }
        var total: Int64 = 0
        for (i, request) in requests.enumerated() {
            let requestPath = requestsPath[i]
            let weightValid = (0...Self.maximumWeight).contains(request.weight)
            if !weightValid {
                problems.add(
                    requestPath[Deployment.Key.weight], "weight \(request.weight) is outside 0–\(Self.maximumWeight)")
            } else {
                total += request.weight
            }
            let twin: IdentityID
            do { twin = try IdentityID(request.twin) } catch {
                problems.add(requestPath[Deployment.Key.twin], error.description)
                continue
            }
            if let earlier = byTwin[twin] {
                problems.add(
                    requestPath[Deployment.Key.twin],
                    "twin \(twin) is already requested at \(requestsPath[earlier.index])")
                continue
            }
            byTwin[twin] = CheckedRequest(
                index: i, twin: twin, weight: weightValid ? request.weight : 0, required: request.required)
        }
        if let ownerID = try? IdentityID(owner), !requests.isEmpty {
            if let request = byTwin[ownerID] {
                if !request.required {
                    problems.add(
                        requestsPath[request.index][Deployment.Key.required],
                        "the owner \(ownerID) must be a required signer")
                }
            } else {
                problems.add(requestsPath, "the owner \(ownerID) must be among the requests, as a required signer")
            }
        }
        let weightPath = path[Deployment.Key.weightRequired]
        if weightRequired < 1 {
            problems.add(weightPath, "must be at least 1, so that no deployment is valid unsigned")
        } else if weightRequired > total, !requests.isEmpty {
            problems.add(weightPath, "\(weightRequired) cannot be reached: the requests' weights add up to \(total)")
        }
        return byTwin
    }
}
