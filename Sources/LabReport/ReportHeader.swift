/// What the student adds to the generated report: its title, their name, the date, and their own text.
public struct ReportHeader: Sendable, Equatable {
    /// The report's title (the course or lab), at the top of both files.
    public var title: String
    /// The author's name, when given.
    public var author: String?
    /// The date printed under the title, when given (e.g. "2026-11-30").
    public var date: String?
    /// The student's own text (Markdown), placed after the discussion; kept verbatim in report.md.
    public var notes: String?

    /// A header; by default the generic title and nothing else.
    public init(title: String = "mpitrain: MNIST lab report", author: String? = nil, date: String? = nil,
                notes: String? = nil) {
        self.title = title
        self.author = author
        self.date = date
        self.notes = notes
    }

    /// The lines under the title: "Author: …", "Date: …".
    var byline: [String] {
        (author.map { ["Author: \($0)"] } ?? []) + (date.map { ["Date: \($0)"] } ?? [])
    }
}
