import Testing

@Test func placeholderZmeshCommandsTests() { #expect(Bool(true)) }
