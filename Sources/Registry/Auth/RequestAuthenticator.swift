import Hummingbird
import RegistryProtocol
import ZmeshCrypto

/// Checks a signed request (see ``RequestSigning``): headers present and well-formed, timestamp
/// inside the clock-skew window, signature valid for the signer's key, nonce not seen before.
///
/// The nonce is recorded only once the signature has verified, so forged requests cannot burn a
/// legitimate client's nonces.
struct RequestAuthenticator: Sendable {
    /// Largest accepted difference between the request's timestamp and the registry's clock, in seconds.
    let clockSkew: Int64
    /// The registry's clock, Unix seconds.
    let now: @Sendable () -> Int64
    let nonces: NonceCache
    /// The per-identity rate limit, applied to requests whose signature verified.
    let rateLimiter: RateLimiter?
    /// Called for each request the rate limit refuses.
    let onRateLimited: @Sendable () -> Void

    init(
        clockSkew: Int64, now: @escaping @Sendable () -> Int64, rateLimiter: RateLimiter? = nil,
        onRateLimited: @escaping @Sendable () -> Void = {}
    ) {
        self.clockSkew = clockSkew
        self.now = now
        self.nonces = NonceCache(retention: 2 * clockSkew)
        self.rateLimiter = rateLimiter
        self.onRateLimited = onRateLimited
    }

    /// The signed request's headers, parsed but not yet verified.
    struct Claim: Sendable {
        let signer: IdentityID
        let timestamp: Int64
        let nonce: String
        let signature: Ed25519Signature
    }

    /// Parses the signing headers and checks the clock; does not look at the key.
    func claim(_ headers: HTTPFields) throws(RegistryError) -> Claim {
        func header(_ name: String) throws(RegistryError) -> String {
            let lower = name.lowercased()
            guard let field = headers.first(where: { $0.name.canonicalName == lower }) else {
                throw RegistryError(.unauthorized, "missing_signature", "the request has no \(name) header: it must be signed")
            }
            return field.value
        }
        let signerText = try header(RequestSigning.identityHeader)
        let timestampText = try header(RequestSigning.timestampHeader)
        let nonce = try header(RequestSigning.nonceHeader)
        let signatureText = try header(RequestSigning.signatureHeader)
        guard let signer = try? IdentityID(signerText) else {
            throw RegistryError(.unauthorized, "bad_identity", "\(RequestSigning.identityHeader) is not an identity id")
        }
        guard let timestamp = Int64(timestampText) else {
            throw RegistryError(.unauthorized, "bad_timestamp", "\(RequestSigning.timestampHeader) is not Unix seconds")
        }
        guard RequestSigning.isWellFormedNonce(nonce) else {
            throw RegistryError(
                .unauthorized, "bad_nonce",
                "\(RequestSigning.nonceHeader) must be \(RequestSigning.nonceLengths.lowerBound)–\(RequestSigning.nonceLengths.upperBound) characters of A–Z a–z 0–9 - _")
        }
        guard let signature = try? Ed25519Signature(signatureText) else {
            throw RegistryError(.unauthorized, "bad_signature", "\(RequestSigning.signatureHeader) is not a base64 Ed25519 signature")
        }
        let current = now()
        guard abs(timestamp - current) <= clockSkew else {
            throw RegistryError(
                .unauthorized, "clock_skew",
                "the request's timestamp \(timestamp) is more than \(clockSkew) s from the registry's clock (\(current))")
        }
        let floor = nonces.floor
        guard timestamp >= floor else {
            throw RegistryError(
                .unauthorized, "stale_timestamp",
                "the request's timestamp \(timestamp) is before the registry's restart at \(floor) (after an unclean stop the registry refuses older timestamps so that no captured request can be replayed); sign it again with the current time")
        }
        return Claim(signer: signer, timestamp: timestamp, nonce: nonce, signature: signature)
    }

    /// Verifies `claim` against `key` over the request, takes a token of the signer's rate limit, then records
    /// its nonce (a rate-limited request can be sent again as it is).
    func verify(_ claim: Claim, key: Ed25519PublicKey, method: String, target: String, body: [UInt8])
        throws(RegistryError)
    {
        guard key.id == claim.signer else {
            throw RegistryError(.unauthorized, "bad_signature", "the key does not belong to \(claim.signer)")
        }
        let message = RequestSigning.message(
            method: method, target: target, timestamp: claim.timestamp, nonce: claim.nonce, body: body)
        guard key.isValidSignature(claim.signature, for: message) else {
            throw RegistryError(
                .unauthorized, "bad_signature", "the request signature does not verify for \(claim.signer)")
        }
        if let rateLimiter, let wait = rateLimiter.take(claim.signer) {
            onRateLimited()
            var error = RegistryError(
                .tooManyRequests, "rate_limited",
                "\(claim.signer) exceeds \(rateLimiter.rate) requests a second (bursts of \(Int(rateLimiter.burst))); retry in \(wait) s")
            error.retryAfter = wait
            throw error
        }
        guard nonces.insert(signer: claim.signer.rawValue, nonce: claim.nonce, timestamp: claim.timestamp, now: now())
        else {
            throw RegistryError(.unauthorized, "replayed_nonce", "the nonce was already used: the request is a replay")
        }
    }
}
