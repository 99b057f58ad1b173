//! Conversions between WIT records and the domain's, one module per WIT version, plus the
//! checks every version applies to what a plugin returns.

mod cast;
pub(crate) mod v0_1;
pub(crate) mod v0_2;

pub(crate) use cast::{Cast, cast_enum, cast_record};

use tessera_domain as d;

/// More records than this in one page is refused; a plugin should page instead.
pub(crate) const MAX_PAGE: usize = 50_000;

type R<T> = Result<T, d::ConnectorError>;

fn page_size(what: &str, n: usize) -> R<()> {
    if n > MAX_PAGE {
        return Err(d::ConnectorError::Invalid {
            field: what.into(),
            message: format!("{n} records in one page; at most {MAX_PAGE}, use the cursor"),
        });
    }
    Ok(())
}

/// A timestamp a plugin sent as text; `field` names it when it does not parse.
fn stamp(text: Option<String>, field: impl Fn() -> String) -> R<Option<d::Timestamp>> {
    text.map(|t| {
        t.parse()
            .map_err(|e: d::TimestampError| d::ConnectorError::Invalid {
                field: field(),
                message: e.to_string(),
            })
    })
    .transpose()
}
