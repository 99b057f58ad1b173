//! Elanza's JSON as it arrives, field names as the API spells them. Text borrows from the
//! response body where it can (no escapes), so a 100 MB plannedWorkers answer is not copied
//! string by string. Fields Elanza may leave out or send as null are options; unknown fields
//! are ignored, since the API adds fields without notice.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};

type Text<'a> = Cow<'a, str>;

/// `GET /departments`.
#[derive(Debug, Deserialize)]
pub struct Departments<'a> {
    #[serde(borrow)]
    pub departments: Vec<Department<'a>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Department<'a> {
    #[serde(borrow)]
    pub uuid: Text<'a>,
    #[serde(borrow, default)]
    pub name: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub code: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub brand_name: Option<Text<'a>>,
}

/// `GET /skills`.
#[derive(Debug, Deserialize)]
pub struct Skills<'a> {
    #[serde(borrow)]
    pub skills: Vec<Skill<'a>>,
}

#[derive(Debug, Deserialize)]
pub struct Skill<'a> {
    #[serde(borrow)]
    pub uuid: Text<'a>,
    #[serde(borrow, default)]
    pub name: Option<Text<'a>>,
}

/// `GET /product/{uuid}`; kept past the body it came from, so owned.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Product {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub hr_function_code: Option<String>,
}

/// `GET /plannedWorkers?from=&to=`, with each shift read as `S`: whole ([`Shift`]) in the
/// detail window, only its uuid and start ([`ShiftStart`]) in the slices before it.
#[derive(Debug, Deserialize)]
#[serde(bound(deserialize = "S: Deserialize<'de>"))]
pub struct PlannedWorkers<'a, S = Shift<'a>> {
    #[serde(borrow)]
    pub workers: Vec<Planned<'a, S>>,
}

#[derive(Debug, Deserialize)]
#[serde(bound(deserialize = "S: Deserialize<'de>"))]
pub struct Planned<'a, S = Shift<'a>> {
    #[serde(borrow)]
    pub worker: Worker<'a>,
    #[serde(default = "Vec::new")]
    pub shifts: Vec<S>,
}

/// A slice before the detail window, where shifts are only counted: the rest of each shift
/// is skipped unread. Most of a window's shifts come this way (seven weeks of its ten), so
/// this is most of the parsing.
pub type SliceWorkers<'a> = PlannedWorkers<'a, ShiftStart<'a>>;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Worker<'a> {
    #[serde(default, deserialize_with = "worker_number")]
    pub worker_number: Option<String>,
    #[serde(borrow, default)]
    pub first_name: Option<Text<'a>>,
    /// Includes the Dutch prefix: `van der Berg`.
    #[serde(borrow, default)]
    pub last_name: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub email: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub phone_number: Option<Text<'a>>,
}

/// What a slice before the detail window reads of a shift.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ShiftStart<'a> {
    #[serde(borrow)]
    pub uuid: Text<'a>,
    #[serde(borrow, default)]
    pub start_at: Option<Text<'a>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Shift<'a> {
    #[serde(borrow)]
    pub uuid: Text<'a>,
    #[serde(borrow, default)]
    pub start_at: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub end_at: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub product_uuid: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub department_uuid: Option<Text<'a>>,
    #[serde(borrow, default)]
    pub skill_uuids: Option<Vec<Text<'a>>>,
}

/// The API's sample sends `workerNumber` as a number; accept text too, and treat null or
/// empty text as absent.
fn worker_number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    struct Number;
    impl<'de> Visitor<'de> for Number {
        type Value = Option<String>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a worker number (number or text)")
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            let v = v.trim();
            Ok((!v.is_empty()).then(|| v.to_owned()))
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
    }
    d.deserialize_any(Number)
}
