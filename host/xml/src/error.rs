/// Everything parsing, selecting and building can fail with.
///
/// The variants line up with the `malformed`, `too-large` and `invalid` cases of the WIT
/// `host-error`, so the plugin adapter maps them one to one.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The text is not well-formed XML, or uses a feature this crate refuses (DOCTYPE,
    /// entities beyond the predefined five, undeclared prefixes).
    #[error("malformed XML at line {line}, column {column}: {message}")]
    Malformed {
        /// What is wrong.
        message: String,
        /// 1-based line where parsing stopped.
        line: u32,
        /// 1-based column, in characters, where parsing stopped.
        column: u32,
    },
    /// A [`Limits`](crate::Limits) value was exceeded; the message names the limit.
    #[error("too large: {0}")]
    TooLarge(String),
    /// A bad path or bad events: the caller's mistake, not the document's.
    #[error("invalid: {0}")]
    Invalid(String),
}

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A [`Error::Malformed`] located at byte `offset` of `text`.
    pub(crate) fn malformed_at(text: &str, offset: usize, message: impl Into<String>) -> Self {
        let (line, column) = line_column(text, offset);
        Error::Malformed {
            message: message.into(),
            line,
            column,
        }
    }
}

/// 1-based line and column (counted in characters) of byte `offset` in `text`.
///
/// Offsets past the end, or inside a multi-byte character, are clamped to a character
/// boundary at or before them, so a bad offset from the tokenizer can never panic here.
pub(crate) fn line_column(text: &str, offset: usize) -> (u32, u32) {
    let mut end = offset.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let before = &text[..end];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let column = before[line_start..].chars().count() + 1;
    (saturate(line), saturate(column))
}

fn saturate(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}
