import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Parses SVG markup as XML and answers questions about its elements.
struct SVGInspection {
    /// The parsed document.
    let document: XMLDocument

    /// Parses `markup`; throws when it is not well-formed XML.
    init(_ markup: String) throws {
        document = try XMLDocument(xmlString: markup)
    }

    /// Elements with local name `name` anywhere in the document.
    func elements(_ name: String) throws -> [XMLElement] {
        try document.nodes(forXPath: "//*[local-name()='\(name)']").compactMap { $0 as? XMLElement }
    }

    /// The polylines drawn as data series.
    func series() throws -> [XMLElement] {
        try elements("polyline").filter { $0.value(of: "class") == "series" }
    }

    /// Number of points in a polyline's `points` attribute.
    static func pointCount(_ polyline: XMLElement) -> Int {
        (polyline.value(of: "points") ?? "").split(separator: " ").count
    }

    /// The content of every `<text>` element.
    func texts() throws -> [String] {
        try elements("text").map { $0.stringValue ?? "" }
    }

    /// The root element's numeric attribute `name` (`width`, `height`).
    func rootNumber(_ name: String) -> Double? {
        document.rootElement()?.value(of: name).flatMap(Double.init)
    }
}

extension XMLElement {
    /// The value of the unprefixed attribute `name`. (`attribute(forName:)` finds nothing on Linux
    /// for elements in the SVG namespace, so this searches `attributes` instead.)
    func value(of name: String) -> String? {
        attributes?.first { $0.name == name }?.stringValue
    }
}
