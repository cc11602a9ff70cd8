import Mustache

/// The Mustache templates of every notice part, built in and optionally overridden.
///
/// Names are `<kind>.<part>`: kind is alert, update, termination, destruction-reminder,
/// destruction-second-reminder, concern-report, concern-result, shelter-request, shelter-destruction; part is
/// email-subject, email-body, fax, radio (the destruction reminders have no radio part). An override
/// folder holds files named `<name>.mustache`; the daemon reads them and passes the texts here.
///
/// Templates render as plain text (`{{name}}` is not HTML-escaped): every template is compiled
/// with the TEXT content type. Values from the event are inserted, never parsed as templates, so
/// `{{` inside a name stays literal text.
///
/// The FAX part is a small line format: the first line `# ` is the title; lines `| label | value`
/// are table rows; lines `> ` are the callout (who to call on a sighting: printed framed and bold
/// right under the lead, so it is on the first page); the first line `! ` is the banner drawn
/// large at the top of every page (the drill's); before the first row, a line `=> ` is a
/// paragraph of its own standing to the right and `== ` one in the middle (a form's number, date
/// and sender, its 記); other lines are paragraphs (a blank line separates them); paragraphs
/// before the first row are the lead.
public struct NoticeTemplates: Sendable {
    public enum Part: String, Sendable, CaseIterable {
        case emailSubject = "email-subject"
        case emailBody = "email-body"
        case fax
        case radio
    }

    public static func name(_ kind: NoticeKind, _ part: Part) -> String { "\(kind.rawValue).\(part.rawValue)" }

    /// Every template name that exists (and may be overridden).
    public static var names: [String] {
        NoticeKind.allCases.flatMap { kind in
            Part.allCases.filter { kind.isBroadcast || $0 != .radio }.map { name(kind, $0) }
        }
    }

    private var compiled: [String: MustacheTemplate]

    /// The templates compiled into the program.
    public static let builtIn: NoticeTemplates = {
        var compiled: [String: MustacheTemplate] = [:]
        for (name, text) in BuiltInTemplates.texts {
            // A built-in template that fails to compile is a programming error caught by the tests.
            compiled[name] = try! compile(text)
        }
        return NoticeTemplates(compiled: compiled)
    }()

    private init(compiled: [String: MustacheTemplate]) { self.compiled = compiled }

    /// The built-in templates with some replaced. Every override is checked; all problems are
    /// reported together (unknown name, a template that does not compile).
    public init(overrides: [String: String]) throws(TemplateError) {
        var compiled = Self.builtIn.compiled
        var problems: [TemplateError.Problem] = []
        for (name, text) in overrides.sorted(by: { $0.key < $1.key }) {
            guard Self.names.contains(name) else {
                problems.append(.init(name: name, message: "no such template (known: \(Self.names.joined(separator: ", ")))"))
                continue
            }
            do {
                compiled[name] = try Self.compile(text)
            } catch let error as MustacheTemplate.ParserError {
                problems.append(.init(name: name, message: "does not compile: line \(error.context.lineNumber): \(error.error)"))
            } catch {
                problems.append(.init(name: name, message: "does not compile: \(error)"))
            }
        }
        guard problems.isEmpty else { throw TemplateError(problems: problems) }
        self.compiled = compiled
    }

    static func compile(_ text: String) throws -> MustacheTemplate {
        try MustacheTemplate(string: "{{%CONTENT_TYPE:TEXT}}" + text)
    }

    func render(_ kind: NoticeKind, _ part: Part, _ context: [String: Any]) -> String? {
        compiled[Self.name(kind, part)]?.render(context)
    }
}

public struct TemplateError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Problem: Sendable, Hashable, CustomStringConvertible {
        public var name: String
        public var message: String
        public var description: String { "templates/\(name).mustache: \(message)" }
    }
    public var problems: [Problem]
    public var description: String { problems.map(\.description).joined(separator: "\n") }
}
