import Testing

@Test func placeholderWireGuardNLTests() { #expect(Bool(true)) }
