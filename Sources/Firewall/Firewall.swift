internal import CNFTables

/// nftables tables through libnftables. (Being built: issue 3.)
public enum Firewall {}
