import Foundation
import MimamoriCore

/// The intake's one step for a case photo, before any notice is planned from it: judged
/// (`PhotoCheck`: a photo no notice may use is left out with a note), turned upright as its
/// EXIF orientation asks (`PhotoUpright`), stripped of its metadata (`PhotoClean`: EXIF GPS,
/// text chunks), and judged again as it will travel. Every notice, every FAX page and the body
/// the ledger keeps are made from what this returns; `mimamori render` takes the same step.
public struct PhotoIntake: Sendable {
    /// The event as the notices may use it.
    public var event: CaseEvent
    /// The photo asked for a rotation libjpeg-turbo could not make: it travels as it was taken
    /// (metadata stripped all the same), and the intake logs `photo.not-upright`.
    public var notUpright = false

    public init(_ decoded: CaseEvent) {
        event = decoded
        guard let photo = decoded.photo else { return }
        let prepared = Self.prepare(photo)
        notUpright = prepared.notUpright
        switch prepared.photo {
        case .success(let cleaned): event.photo = cleaned
        case .failure(let problem):
            event.photo = nil
            event.photoLeftOut = problem
        }
    }

    /// One photo through the same steps: judged, turned upright, stripped, judged again. A
    /// registration's photo takes them too (`mimamori registry add`), so a phone photo's GPS
    /// position never enters the registry either.
    public static func prepare(_ photo: CaseEvent.Photo) -> (photo: Result<CaseEvent.Photo, PhotoCheck.Problem>, notUpright: Bool) {
        if case .failure(let problem) = PhotoCheck.check(photo) { return (.failure(problem), false) }
        var photo = photo
        var notUpright = false
        if photo.mediaType == .jpeg {
            let orientation = PhotoClean.jpegOrientation(photo.data)
            if orientation != 1 {
                if let turned = PhotoUpright.jpeg(photo.data, orientation: orientation),
                    case .success = PhotoCheck.check(CaseEvent.Photo(mediaType: .jpeg, data: turned))
                {
                    photo.data = turned
                } else {
                    notUpright = true
                }
            }
        }
        guard let cleaned = PhotoClean.clean(photo), case .success = PhotoCheck.check(cleaned) else {
            return (.failure(.undecodable), notUpright)
        }
        return (.success(cleaned), notUpright)
    }

    /// The body for the ledger: the publisher's bytes when the photo is untouched, else the same
    /// event with the photo as the notices use it (or none, when it was left out).
    public func storedBody(original body: [UInt8], decoded: CaseEvent, limits: CaseEvent.Limits) -> Data {
        guard decoded.photo != event.photo else { return Data(body) }
        // `decode` accepted these bytes under the same limits, so they parse as an object again.
        guard let stored = CaseEvent.storedBody(body, photo: event.photo, limits: limits) else { return Data(body) }
        return Data(stored)
    }
}
