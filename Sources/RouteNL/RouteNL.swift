internal import CNLRoute

/// Links, addresses and routes over libnl-route-3. (Being built: issue 3.)
public enum RouteNL {}
