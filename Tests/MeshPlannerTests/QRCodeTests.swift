import MeshPlanner
import Testing

/// The QR encoder against symbols made by an independent implementation (python-qrcode 7.4.2, byte
/// mode, the same level and mask), module for module: every mask, every level, one to four blocks
/// of two lengths, version information (versions 7+), 16-bit character counts (versions 10+).
@Suite struct QRCodeTests {
    struct Golden: Sendable {
        let text: String
        let level: QRCode.ErrorCorrection
        let mask: Int
        let version: Int
        /// Each row as a hexadecimal number, the first module the most significant bit.
        let rows: [String]
    }

    static let long = String((0..<200).map { Character(Unicode.Scalar(UInt8(0x61 + ($0 * 7) % 26))) })
    static let huge = String((0..<1000).map { Character(Unicode.Scalar(UInt8(0x30 + ($0 * 13) % 75))) })

    static let goldens: [Golden] = [
        Golden(
            text: "zmesh", level: .medium, mask: 0, version: 1,
            rows: [
                "1fc37f", "105641", "174f5d", "17435d", "17515d", "104941", "1fd57f", "f00", "154a12", "168447",
                "1acd1f", "13b443", "bc950", "16a1", "1fceef", "104bb0", "175aeb", "17406a", "175919", "104062",
                "1fd543",
            ]),
        Golden(
            text: "zmesh", level: .medium, mask: 1, version: 1,
            rows: [
                "1fd97f", "104c41", "17555d", "17495d", "174b5d", "105341", "1fd57f", "500", "146025", "1c2eed",
                "1067b5", "191ee9", "163fa", "1c0b", "1fd445", "10411a", "174041", "174ac0", "1753b3", "104ac8",
                "1fdfe9",
            ]),
        Golden(
            text: "zmesh", level: .medium, mask: 2, version: 1,
            rows: [
                "1fcf7f", "104541", "17535d", "17505d", "175d5d", "105a41", "1fd57f", "1c00", "17c67c", "e27c9",
                "1dd16e", "b17cd", "cd521", "152f", "1fc29e", "10583e", "17569a", "1753e4", "175568", "1043ec",
                "1fd932",
            ]),
        Golden(
            text: "zmesh", level: .medium, mask: 3, version: 1,
            rows: [
                "1fdf7f", "105e41", "174e5d", "17505d", "17465d", "104741", "1fd57f", "1700", "16eb4b", "e27c9",
                "b4a03", "103a7b", "cd521", "1e42", "1fdf28", "10583e", "174df7", "175e52", "175568", "104881",
                "1fd484",
            ]),
        Golden(
            text: "zmesh", level: .medium, mask: 4, version: 1,
            rows: [
                "1fd77f", "104d41", "17445d", "17575d", "17555d", "105241", "1fd57f", "1b00", "117ef9", "1f2a", "c5672",
                "1a90d1", "2edc2", "1dcc", "1fd582", "104f22", "175e79", "174b07", "174274", "1044f0", "1fd1d1",
            ]),
        Golden(
            text: "zmesh", level: .medium, mask: 5, version: 1,
            rows: [
                "1fc97f", "105d41", "17535d", "175c5d", "174d5d", "104241", "1fd57f", "1400", "1056ce", "93bb8",
                "1dd16e", "91fed", "163fa", "1d0f", "1fc29e", "10444f", "17469a", "174bc4", "1743b3", "104bcc",
                "1fd932",
            ]),
        Golden(
            text: "zmesh", level: .medium, mask: 6, version: 1,
            rows: [
                "1fd97f", "105d41", "17575d", "174c5d", "175f5d", "104441", "1fd57f", "400", "13f297", "93bb8",
                "194327", "899f5", "163fa", "1dcc", "1fd60c", "10544f", "1754d3", "175ddc", "1743b3", "104b0f",
                "1fdda0",
            ]),
        Golden(
            text: "zmesh", level: .medium, mask: 7, version: 1,
            rows: [
                "1fc37f", "104241", "174d5d", "17435d", "17455d", "105b41", "1fd57f", "b00", "12d8a0", "168447",
                "13e98d", "17260a", "bc950", "1233", "1fcca6", "105bb0", "174e79", "175223", "174919", "1044f0",
                "1fd70a",
            ]),
        Golden(
            text: "The quick brown fox jumps over the lazy dog 0123456789", level: .quartile, mask: 2, version: 5,
            rows: [
                "1fdbb0817f", "1043883341", "1745d0a75d", "174cf17e5d", "1756762d5d", "105e5f5341", "1fd555557f",
                "f2cc200", "feb8d5931", "138e8d6488", "12cb1e5b41", "6b498d568", "1ef3784ed5", "c8718a9a0",
                "17fe589609", "1c8e69f750", "1976df8d7e", "5980e5d2b", "e4ce64afb", "1f2ed6d0f0", "106a185c5f",
                "1c2c89ed0a", "1d08953e9", "12a95a97e1", "19c03c5375", "19a118b88a", "1740d34a7f", "141e4bf5cb",
                "11ec881bf7", "1fd2231c", "1fde44515b", "1057d21112", "175dffdfff", "1755088ed2", "1758edb2ad",
                "105c28a741", "1fc0e1386f",
            ]),
        Golden(
            text: "héllo wörld ✓", level: .high, mask: 1, version: 3,
            rows: [
                "1fcabb7f", "10520941", "17537f5d", "1757cd5d", "1759445d", "10581c41", "1fd5557f", "e5b00", "4fbdbbe",
                "a2cf930", "1348292c", "98aebfc", "14e404ea", "690a661", "1779e8f3", "d262eb4", "11429af9", "6a85081",
                "19c0cac9", "a3c806", "19644bf7", "1c7515", "1fd5f755", "1054db18", "174215f8", "174ed39e", "175ff11f",
                "104750c4", "1fced885",
            ]),
        Golden(
            text: QRCodeTests.long, level: .low, mask: 3, version: 9,
            rows: [
                "1fd51c71c3a47f", "1040134e67b641", "1756ee121da25d", "1756bf0f234d5d", "1751afdf2af45d",
                "1044ae51f14441", "1fd5555555557f", "1cd11895300", "1e5bbe7fc2779d", "e88a791e08e03", "1043603276afd2",
                "58411e07bcff0", "1dcbf0feb85b4", "170eafe118c385", "ac5409b48fe37", "6994dfa167908", "1a708bf2f82282",
                "aacaa6caf18fe", "1ce672c81479f8", "19b0750f01d93f", "11eb2bed4afde6", "b024afbf09e05", "447741eff2742",
                "aad26e29d2a50", "5f308bfabc7fd", "1f11ca913ae315", "195f33f562d55b", "518a331bcd11a", "17f9d09f34eff9",
                "160dfc3faf1828", "18cde65b8de308", "e84135263ba7f", "1ef950a04efa17", "10b11ca4d2bebb",
                "13ec9feb449f8a", "1304aa4b9d2913", "debf3a6708e6", "3a1afd83be081", "ae4bf5672c6fb", "684a328deb35b",
                "cc9652f30e8d1", "181c11f69c28a0", "1bdf0d810d6000", "c28ceea8d56ec", "25f4bdf8237fc", "1dc251d2bf19",
                "1fc98ad5dd075e", "104138313b8d12", "174fe65f2749f6", "1754b13e08d010", "17500c1449fc66",
                "10575ccb107d1a", "1fd1b086b863da",
            ]),
        Golden(
            text:
                "[Interface]\nPrivateKey = yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=\nAddress = 100.64.20.200/32, fd12:3456:789a:c8::1/128\n\n[Peer]\nPublicKey = xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=\nAllowedIPs = 10.20.0.0/16, 100.64.0.0/16, fd12:3456:789a::/48\nEndpoint = 203.0.113.10:51820\nPersistentKeepalive = 25\n",
            level: .low, mask: 5, version: 11,
            rows: [
                "1fc8c9f90e75437f", "10451d02ee904b41", "174214c35d57a75d", "175665676d19dd5d", "1756ea5df0258e5d",
                "104c95491cd1d441", "1fd555555555557f", "f2d2514292300", "18e09429ff023118", "13263ef18dffcdc5",
                "18e56595aff84e2b", "129c5f1a743f2e42", "7fee6f529b3f2b2", "1bb1c279da061040", "a541961c1f87e9f",
                "ebcdb39d439d577", "19f80d580d0638e4", "9288e10618dbaf0", "266dede53ca1e95", "12b0cf2517b2530",
                "3f9d4020560db04", "190b99121d745fc2", "8e14a1924ea5671", "1012e31ae600305b", "c7d616e4519d85b",
                "fb6a41441063ad3", "1540ae7be749670b", "1f1e75af52624567", "17fb5d8bf7247dfd", "b1822f11836031a",
                "1b5447e957f3935b", "1b14cc9f12584d19", "5feafa9f94437fc", "9b9abd3b7ef5d50", "15f9360efdf3f24f",
                "719f254ca374c21", "1c640c4f6f77ba81", "1337481fb826390e", "1e6da7c23d4a6ded", "23f3ce7b64e024d",
                "1859d423e50ebad5", "129a8f1e2b2c99ce", "95636fbf317d27b", "ab117996253c123", "cd7dd9acb4cf775",
                "da779b2afcc54be", "2c98c4bffb357e1", "89f63482e9b2222", "1ed89407ebf3d701", "118d401e319f3a04",
                "7fcc29a554a537f", "1d3d51105ea66ca6", "1e461501f1e453fe", "190a5d1b141318", "1fd4c1f15b213b5f",
                "1057037b16ddab1b", "1741aa03fd8497fe", "174a3553df6fccad", "174f76380f47d44d", "105c704d18350dd1",
                "1fd7e6f5d5f7fcd1",
            ]),
        Golden(
            text: QRCodeTests.huge, level: .medium, mask: 6, version: 26,
            rows: [
                "1fd46e59155c79ee8f8624137162e7f", "1056f14cfed3174a54c4db5d25cad41", "175d8ad5ed0c65a3daf9c75c5d83b5d",
                "174c686c281ecdcc986e32977fe375d", "175b8ce7fb3e479f69bb65f77f0025d", "10464811116d4af18f596d16c87c641",
                "1fd555555555555555555555555557f", "753b71fb4d291abfedb15ba9d300", "13f35d23fa4b7adfea11d9f9c8c6f97",
                "12390a91356fb050170eaf2bf8eacec", "165e211845c20df0d6be71872f60635", "48e02236fed570970936f3e570bd6d",
                "9fd5380da0cef77ba1cd6910dc552a", "b9c9619b24c8f52e1233f4ec7490c8", "1dc594f5278e0d60d53f62c42579c7",
                "585cab6e564f15939b7fd777f999ee", "1e775cab09dc7bdaf9c423da59f9c0e", "a206aa6f62906607d094cd1cecb8f6",
                "1c42f1c62df204d4547d666566c6d11", "281f569932818d58bf21ae536bf0db", "4e5ffaac45007ad1fbc4d10a59d99a",
                "15a038b127ab25355051fbfead1f964", "adc431653cbcd20e614c2f72d21751", "1285375d14b735e3609f6d3e5bc1d7c",
                "a75a3203dee3a32e5498cc49811d84", "88068268e335855b75e192890dc58c", "195ebf2ca5fb60c63e79742c60d5aa2",
                "14384a6dc3d101fbbbb7777fd39fe", "1f23313f1f0e29f721db5ff00a69f3", "191446731dae33912057d918bb2cd1b",
                "17511d4957d0c4557f5de5564447f54", "7190aaf15d1583169f2911536f7118", "17f971dffdcb921f40e1d3f97009df6",
                "935e4b72ead337913340f7dfbc9313", "5d1b853a51e4e79ed14c0f40e63725", "143708301844369cb21d24065a41d4f",
                "1fd2723b2d11666b1cdd5a11c67a845", "f0060c71d767f24ed084cb1f7b9a35", "1ec7cbccc8b361cb367876eb61d7217",
                "602bc27dea0910eff39b7477fd359f", "8fea156ac1c744f1345ee8a9743672", "c01684c819365ff7d23bc7aec499ac",
                "e9959afb398556775ce4c6c775e83", "f32caeb15ce962a6d7293d9f6d74fb", "1c6a7b5e8da6ca71d1374450a8641d4",
                "a3440df53d70614406259e40ebf83e", "16503fb2bab4c42e517e2148e51f63", "182ea020efffbb54b61f2502936150f",
                "1cc53f78e2b598e74989061493ef657", "c24e624ca17105f94643b622edc522", "7dd1a3e401251f93e7854bfe3e72d1",
                "d8d22131785f3c9ff3bb76b9f731dc", "2f90f7f4b04c809c6d13a870f1a553", "9aba43a508bb7942b79ea2f0f1ec87",
                "1662623377f316b776446b5c7756f5", "1c2938305577bee96c7e93fbda5b849", "11f4a3f1f5b7b8bf8f651df47bb1bff",
                "191fd3511c63ff7126133f115ccad19", "953f76d53e63475e62969558651d55", "11de8491cba5b713613291abbedb1e",
                "3f77dcbfef0c9bfdd549bffc6b23fd", "a3b0589cab53d13c03a66275d8a2ed", "167d631432e251cf1f40dd9eebe7217",
                "1607fb738dd6b7f77733bb739b7fc0d", "1dd0c236f35cdd811c8c6e53968fa3a", "1d2a5612bf0c64e7dc1094fa567ba53",
                "b6f7e963926b55156644f04cf75601", "9a2909d5f51fec565ba9da3d25b768", "1de46cda0dab21f599f8c9882ae4ccc",
                "1a17e025e1ffc636f34066b7369196d", "154bed43874cbc76442d53868672e5d", "11af387d0d355364bedb3608bfc182f",
                "1cd0d48ad30f5c46010def48135f854", "8a785354b076b53a64f0d2108fb6f1", "16ec142117a299c95f40c7cd6bd4177",
                "119e1793a38efbe077fd3d019b53e3c", "fddfe6b23144e14a59d9dbfbc6f30", "3aafbd6775601a5c946cffd3131f57",
                "1dcd82d1206d7e79d6645d9445426e5", "8e907d282c725225b418f3d253411", "e4c3efbcd5afc6780a58f0e8f5d0c5",
                "159a0d2db16b9d57c625359153d8fd1", "acc54c2e4d15760442d51d63cc2ee9", "1388267ce78e5fd0fed9a3689f25b66",
                "7f40a71f8afc51f145823f6fabedf3", "11adc87111f521130986717fe2831f", "155d349755e8bad59f60e55ed17c15f",
                "11f76791607fb71b73d3113bbbbd1d", "9fde411f9cd1d1f978095fdae8f7f5", "1330f0b70b98dbcdac73b7aa94d0a21",
                "10d85370307bfe5d5454753775ee669", "35a5b6b3eae26b2554176d229ff48", "cd2051ea87e091dd5f038b702e87c3",
                "20dc8bebc7ce80c91d361e724269f3", "1c762e87e4771769fe9d52a54ccad59", "188d519c6fc5ffd4f2d9a1265f292cf",
                "19f9d4f134979c8b8de57ab3ff673d2", "132672218af6d560457d31723b4569b", "17c72f9ce6676ae325d0e6fe417c0fb",
                "52c0f3b45bdbb67bbbd337ff3bb65c", "fe9d3f77c8cb869ca86424057d22c6", "123ffb32931f6e96f665c3ad2287c6d",
                "e61828809ff6e516cc457b755ec4fd", "b2b346b0112724629dc153dba9fe99", "f59a167b95f4570c9aa4d2077df32",
                "109e844c80742ec4f8d5b5f26113e37", "e4b8ae126882f45fe8e71251cebdcd", "1eb9f63a40159ffdf2b3a276d72832e",
                "1e4daffc81b58912d463ae7ab23e7a8", "1f051a415d6760201eda15545cd2053", "1acc42ba9667809335d3c45e72df26f",
                "17b35a542584fb6eabb7bccff37b78d", "e5872c7fa7c11ff7f3b1bf5e2c4fff", "1766871eb0f951a3d395187761919",
                "1fdbc77557ae84f57cf7175766cf559", "105fbef1188cf2d18bfe591dbadfd18", "1750bd89f86a213f75cfb3ff5e21bf9",
                "175c3c67ee6c5bdcaeb043453706ac9", "1749f5c9efb58d6adebe71472f60ebb", "1041805bee02df095093eff6d7ab1df",
                "1fdbc54cf8e8d44d1dfab1c367a9d29",
            ]),
    ]

    @Test(arguments: goldens)
    func matchesTheReference(_ golden: Golden) throws {
        let code = try QRCode(encoding: Array(golden.text.utf8), errorCorrection: golden.level, mask: golden.mask)
        #expect(code.version == golden.version)
        #expect(code.size == 17 + 4 * golden.version)
        let rows = (0..<code.size).map { y in
            var value: [Bool] = []
            for x in 0..<code.size { value.append(code.isDark(x: x, y: y)) }
            return value
        }
        for (y, hex) in golden.rows.enumerated() {
            let bits = hex.flatMap { digit -> [Bool] in
                let v = Int(String(digit), radix: 16) ?? 0
                return (0..<4).map { v >> (3 - $0) & 1 == 1 }
            }
            let expected = Array(repeating: false, count: max(0, code.size - bits.count)) + bits.suffix(code.size)
            #expect(rows[y] == expected, "row \(y)")
        }
    }

    @Test func chosenMaskHasTheLowestPenaltyAndTheSymbolIsStable() throws {
        let a = try QRCode(encoding: "zmesh access file")
        let b = try QRCode(encoding: "zmesh access file")
        #expect(a == b)
        #expect(a.version == 1 && (0...7).contains(a.mask))
    }

    @Test func tooLongIsRefused() {
        #expect(throws: QRCode.EncodingError.tooLong(bytes: 3000, maximum: 2953 - 0)) {
            try QRCode(encoding: [UInt8](repeating: 0x41, count: 3000))
        }
    }

    @Test func terminalTextUsesHalfBlocks() throws {
        let code = try QRCode(encoding: "zmesh")
        let text = code.terminalText(quietZone: 2)
        let lines = text.split(separator: "\n")
        #expect(lines.count == (code.size + 4 + 1) / 2)
        #expect(lines.allSatisfy { $0.hasPrefix("\u{1B}[30;107m") && $0.hasSuffix("\u{1B}[0m") })
        #expect(text.contains("█") && text.contains("▀") && text.contains("▄"))
        // Read the modules back from the characters: each line holds two rows.
        for (row, line) in lines.enumerated() {
            let cells = Array(line.dropFirst("\u{1B}[30;107m".count).dropLast("\u{1B}[0m".count))
            #expect(cells.count == code.size + 4)
            for (column, cell) in cells.enumerated() {
                let (x, y) = (column - 2, 2 * row - 2)
                #expect((cell == "█" || cell == "▀") == code.isDark(x: x, y: y))
                #expect((cell == "█" || cell == "▄") == code.isDark(x: x, y: y + 1))
            }
        }
    }
}
