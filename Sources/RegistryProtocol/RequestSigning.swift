public import ZmeshCrypto

/// The request-signing scheme shared by the registry and its clients.
///
/// A signed request carries four headers — ``identityHeader`` (the twin or node id),
/// ``timestampHeader`` (Unix seconds, decimal ASCII), ``nonceHeader`` (16–64 characters of
/// `A–Z a–z 0–9 - _`) and ``signatureHeader`` (base64 Ed25519 signature) — and the signature covers
/// ``message(method:target:timestamp:nonce:body:)``:
///
/// ```
/// "zmesh-request-v1" LF METHOD LF TARGET LF TIMESTAMP LF NONCE LF hex(BLAKE2b-256(body))
/// ```
///
/// where TARGET is the request target exactly as sent (path and `?query`), and the body hash is
/// over the exact body bytes (the empty body for a GET). No trailing LF.
public enum RequestSigning {
    /// Header naming the signer's id.
    public static let identityHeader = "X-Zmesh-Identity"
    /// Header carrying the Unix time in seconds.
    public static let timestampHeader = "X-Zmesh-Timestamp"
    /// Header carrying the single-use nonce.
    public static let nonceHeader = "X-Zmesh-Nonce"
    /// Header carrying the base64 signature.
    public static let signatureHeader = "X-Zmesh-Signature"
    /// First line of every signed message: the scheme and its version.
    public static let domain = "zmesh-request-v1"
    /// Allowed nonce lengths.
    public static let nonceLengths = 16...64

    /// The bytes a request signature covers.
    public static func message(
        method: String, target: String, timestamp: Int64, nonce: String, body: some Collection<UInt8>
    ) -> [UInt8] {
        let bodyHash = BLAKE2b.hash256(body).hex
        return Array([domain, method, target, String(timestamp), nonce, bodyHash].joined(separator: "\n").utf8)
    }

    /// Whether `nonce` has an allowed length and only URL-safe characters.
    public static func isWellFormedNonce(_ nonce: String) -> Bool {
        let bytes = Array(nonce.utf8)
        guard nonceLengths.contains(bytes.count) else { return false }
        return bytes.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || b == 0x2d || b == 0x5f
        }
    }

    /// A fresh random nonce: 32 lowercase hex digits.
    public static func randomNonce() -> String {
        var generator = SystemRandomNumberGenerator()
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for _ in 0..<16 {
            let b = UInt8.random(in: 0...255, using: &generator)
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0xf)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The four headers that sign a request as `identity`.
    public static func headers(
        identity: Identity, method: String, target: String, body: some Collection<UInt8>, timestamp: Int64,
        nonce: String = randomNonce()
    ) -> [(name: String, value: String)] {
        let signature = identity.signature(
            for: message(method: method, target: target, timestamp: timestamp, nonce: nonce, body: body))
        return [
            (identityHeader, identity.id.rawValue), (timestampHeader, String(timestamp)), (nonceHeader, nonce),
            (signatureHeader, signature.base64),
        ]
    }
}
