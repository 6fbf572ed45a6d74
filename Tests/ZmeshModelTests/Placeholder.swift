import Testing

@Test func placeholderZmeshModelTests() { #expect(Bool(true)) }
