import Testing

@Test func networkPrimitivesPlaceholder() { #expect(Bool(true)) }
