import Testing

@Test func deploymentsPlaceholder() { #expect(Bool(true)) }
