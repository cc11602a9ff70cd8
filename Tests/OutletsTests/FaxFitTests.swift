import Foundation
import TestFixtures
import Testing

@testable import Outlets

/// The page fitting rule (`FaxLayout.fit`): a notice stays as it is when it fits one page; else
/// it is made tighter in the order (spacing, the photo down to 40 mm, the body type down
/// to 10.5 pt) and the first step that fits is taken; only a notice that cannot fit at the
/// floor takes a second page, at the largest type that needs no more pages.
@Suite struct FaxFitTests {
    static let regular = FaxFit.noticeSteps(photo: true)[0]

    @Test("the steps a notice tries: as it is, tighter, the photo down to 40 mm, then the type down to 10.5 pt", arguments: [true, false])
    func noticeSteps(photo: Bool) {
        let steps = FaxFit.noticeSteps(photo: photo)
        #expect(steps[0] == FaxFit(bodySize: 14, photoHeight: 170, tightSpacing: false), "first the layout every notice had")
        #expect(steps.dropFirst().allSatisfy { $0.tightSpacing }, "the spacing goes first")
        #expect(Set(steps).count == steps.count, "no step tried twice")
        for (earlier, later) in zip(steps, steps.dropFirst()) {
            #expect(later.bodySize <= earlier.bodySize && later.photoHeight <= earlier.photoHeight, "\(earlier) then \(later)")
        }
        #expect(steps.allSatisfy { $0.bodySize >= FaxFit.noticeFloor && $0.photoHeight >= FaxFit.photoFloor })
        #expect(steps.last?.bodySize == 10.5)
        #expect(abs(FaxFit.photoFloor - 113.39) < 0.01, "40 mm in points")
        // The type goes down only once the photo is as small as it may be.
        let smallest = steps.map(\.photoHeight).min()
        #expect(steps.filter { $0.bodySize < FaxFit.noticeSize }.allSatisfy { $0.photoHeight == smallest })
        #expect(smallest == (photo ? FaxFit.photoFloor : FaxFit.photoHeight), "without a photo there is none to shrink")
        #expect(steps.map(\.bodySize).filter { $0 < 14 } == [13.5, 13, 12.5, 12, 11.5, 11, 10.5])
    }

    @Test func aSheetTriesItsTypeFrom13To10Points() {
        #expect(FaxFit.sheetSteps.map(\.bodySize) == [13, 12, 11.5, 11, 10.5, 10])
        #expect(!FaxFit.sheetSteps.contains { $0.tightSpacing })
    }

    /// `pages` stands for the layout pass: how many pages each step would take.
    static func choose(_ counts: [Int]) -> (index: Int, pages: Int, tried: Int) {
        let steps = (0..<counts.count).map { FaxFit(bodySize: 14 - Double($0) * 0.5, photoHeight: 170, tightSpacing: $0 > 0) }
        var tried = 0
        let chosen = FaxLayout.fit(steps) { step in
            tried += 1
            return counts[steps.firstIndex(of: step)!]
        }
        return (steps.firstIndex(of: chosen.fit)!, chosen.pages, tried)
    }

    @Test("the first step that fits one page is taken and nothing after it is tried")
    func theFirstThatFits() {
        #expect(Self.choose([1, 1, 1]) == (0, 1, 1))
        #expect(Self.choose([2, 2, 1, 1]) == (2, 1, 3))
        #expect(Self.choose([3, 2, 2, 2, 1]) == (4, 1, 5))
    }

    @Test("when no step fits one page: the first with the fewest pages, so the largest type that needs no more paper")
    func noStepFits() {
        #expect(Self.choose([2, 2, 2]) == (0, 2, 3))
        #expect(Self.choose([3, 3, 2, 2]) == (2, 2, 4))
        #expect(Self.choose([4, 3, 3, 2]) == (3, 2, 4))
    }

    // MARK: the real renderer

    @Test("a notice that fits as it is is laid out as it always was")
    func aFittingNoticeStaysAsItWas() throws {
        let rendering = try FaxRenderer().render(try Samples.fax())
        #expect(rendering.pages == 1)
        #expect(rendering.fit == Self.regular)
    }

    @Test("a notice a little too long is made to fit one page with every line; one line more than fits at 10.5 pt takes two pages at 14 pt")
    func aLittleTooLongFits() throws {
        var document = try Samples.fax()
        var fits: [FaxFit] = []
        var overflow: FaxRenderer.Rendering?
        for extra in 1...20 {
            document.paragraphs.append(.init("（追記\(extra)）" + String(repeating: "見守りへのご協力をお願いします。", count: 3)))
            let rendering = try FaxRenderer().render(document)
            let text = try Self.text(rendering.pdf)
            #expect(text.contains("（追記\(extra)）") && text.contains(Samples.clothing) && text.contains("シュレッダーで廃棄"))
            if rendering.pages > 1 {
                overflow = rendering
                break
            }
            fits.append(rendering.fit)
        }
        #expect(fits.first == Self.regular)
        #expect(fits.contains { $0.bodySize < FaxFit.noticeSize }, "the type went down before a second page: \(fits)")
        for (earlier, later) in zip(fits, fits.dropFirst()) {
            #expect(later.bodySize <= earlier.bodySize && later.photoHeight <= earlier.photoHeight, "\(fits)")
        }
        let twoPages = try #require(overflow)
        #expect(twoPages.pages == 2)
        #expect(twoPages.fit == Self.regular, "two pages either way: the larger type")
    }

    static func text(_ pdf: Data) throws -> String {
        let url = try ServerProcess.temporaryDirectory("fax-fit").appendingPathComponent("notice.pdf")
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        try pdf.write(to: url)
        return try FaxRendererTests.poppler(["pdftotext", url.path, "-"])
            .replacingOccurrences(of: "\\s", with: "", options: .regularExpression)
    }
}
