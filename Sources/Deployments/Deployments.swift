import ZmeshCrypto
import ZmeshModel

/// Signed deployments and weighted multisig. (Being built: issue 4.)
public enum Deployments {}
