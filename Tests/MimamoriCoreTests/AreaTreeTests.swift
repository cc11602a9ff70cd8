import Testing

@testable import MimamoriCore

@Suite("AreaTree")
struct AreaTreeTests {
    /// Kainan city as design 5a writes it, with a deeper level under 日方.
    static func kainan() throws -> AreaTree {
        var tree = AreaTree(root: "海南市")
        try tree.add(children: ["日方", "黒江", "船尾"], under: "海南市")
        try tree.add(children: ["日方一丁目"], under: "日方")
        try tree.add(alias: "旧日方町", for: "日方")
        return tree
    }

    func name(_ tree: AreaTree, _ text: String) -> String? {
        if case .known(let area) = tree.place(text) { return tree.name(of: area) }
        return nil
    }

    @Test(
        arguments: [
            ("海南市", "海南市"), ("日方", "日方"), ("海南市日方", "日方"), ("海南市　日方", "日方"),
            (" 日方 ", "日方"), ("日方付近", "日方"), ("海南市日方付近", "日方"), ("旧日方町", "日方"),
            ("海南市旧日方町", "日方"), ("海南市日方一丁目", "日方一丁目"), ("日方日方一丁目", "日方一丁目"),
            ("日方一丁目", "日方一丁目"), ("日方１丁目", nil), ("黒江周辺", "黒江"), ("海南市全域", "海南市"),
        ] as [(String, String?)])
    func writtenFormsResolve(_ text: String, _ expected: String?) throws {
        // 日方１丁目: NFKC makes the full-width digit 1, and the tree spells it 一: not the same name.
        #expect(name(try Self.kainan(), text) == expected, "\(text)")
    }

    @Test(arguments: ["大阪市", "日方1丁目", "海南市大野", "黒江日方", "", "美里"])
    func unknownFormsAreUnknown(_ text: String) throws {
        // 黒江日方: 日方 is not under 黒江, so the joined form is no form of the tree.
        #expect(name(try Self.kainan(), text) == nil)
    }

    @Test func fullWidthAndHalfWidthCompareAlike() throws {
        var tree = AreaTree(root: "紀美野町")
        try tree.add(children: ["Ａ地区", "ｶﾐｺﾞｳ"], under: "紀美野町")
        #expect(name(tree, "A地区") == "A地区")
        #expect(name(tree, "カミゴウ") == "カミゴウ")
    }

    @Test func overlapIsContainmentEitherWay() throws {
        let tree = try Self.kainan()
        func area(_ text: String) throws -> AreaTree.Area {
            guard case .known(let a) = tree.place(text) else { throw Missing() }
            return a
        }
        #expect(tree.overlaps(try area("海南市"), try area("日方")))
        #expect(tree.overlaps(try area("日方"), try area("海南市")))
        #expect(tree.overlaps(try area("日方一丁目"), try area("日方")))
        #expect(tree.overlaps(try area("日方一丁目"), try area("海南市")))
        #expect(!tree.overlaps(try area("日方"), try area("黒江")))
        #expect(!tree.overlaps(try area("日方一丁目"), try area("船尾")))
    }

    @Test func aParentFirstMetAsAKeyMovesUnderItsParent() throws {
        var tree = AreaTree(root: "紀美野町")
        try tree.add(children: ["下佐々"], under: "野上")
        try tree.add(children: ["野上", "美里"], under: "紀美野町")
        guard case .known(let noKami) = tree.place("野上"), case .known(let root) = tree.place("紀美野町") else {
            Issue.record("not placed")
            return
        }
        #expect(tree.parent(of: noKami) == root)
        #expect(name(tree, "紀美野町野上下佐々") == "下佐々")
    }

    @Test func mistakesAreRefused() throws {
        var tree = try Self.kainan()
        #expect(throws: AreaTree.BuildProblem.twoParents(area: "日方一丁目", first: "日方", second: "黒江")) {
            try tree.add(children: ["日方一丁目"], under: "黒江")
        }
        #expect(throws: AreaTree.BuildProblem.cycle(area: "海南市")) { try tree.add(children: ["海南市"], under: "日方") }
        #expect(throws: AreaTree.BuildProblem.aliasTaken(alias: "黒江")) { try tree.add(alias: "黒江", for: "日方") }
        #expect(throws: AreaTree.BuildProblem.aliasOfUnknown(alias: "旧大野村", area: "大野")) {
            try tree.add(alias: "旧大野村", for: "大野")
        }
    }

    struct Missing: Error {}
}
