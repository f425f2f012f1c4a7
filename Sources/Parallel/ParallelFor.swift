/// Runs `body` over `0..<count` cut into contiguous chunks, the chunks spread over up to
/// `threads` threads of the `Team` (the caller's thread among them).
///
/// At most `threads` chunks, each at least `minimumChunk` long (except when `count` is smaller),
/// so small loops stay on the caller's thread. Chunk boundaries depend only on `count`, `threads`
/// and `minimumChunk`; `body` must only write what its own range owns.
public func parallelFor(count: Int, threads: Int, minimumChunk: Int, _ body: (Range<Int>) -> Void) {
    guard count > 0 else { return }
    let chunks = max(1, min(threads, count / max(1, minimumChunk)))
    guard chunks > 1 else {
        body(0..<count)
        return
    }
    Team.shared.run(parts: chunks, threads: chunks) { chunk in
        body(evenPart(chunk, of: chunks, count: count))
    }
}

/// Part `part` of `parts` nearly equal, contiguous ranges that cover 0..<count in order: the cut
/// `parallelFor` makes, so passes that cut the same count into as many parts give each team
/// member the same rows.
public func evenPart(_ part: Int, of parts: Int, count: Int) -> Range<Int> {
    (part * count / parts)..<((part + 1) * count / parts)
}
