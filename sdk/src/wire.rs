//! Moving the SDK's [`crate::types`] into the records of the WIT version a plugin is built
//! for, and back: one module per version. Records whose shape is the same on both sides move
//! field by field through [`Cast`]; the rest is written out in the version's module.

#[cfg(feature = "wit-0-1")]
pub mod v0_1;
#[cfg(not(feature = "wit-0-1"))]
pub mod v0_2;

/// A move between two types of the same shape, field by field.
pub trait Cast<T> {
    /// The value as a `T`.
    fn cast(self) -> T;
}

/// Values that are the same type on both sides.
macro_rules! as_is {
    ($($ty:ty),*) => {$(
        impl Cast<$ty> for $ty {
            fn cast(self) -> $ty {
                self
            }
        }
    )*};
}

as_is!((), String, bool, u8, u32, u64, f32);

impl<A: Cast<B>, B> Cast<Option<B>> for Option<A> {
    fn cast(self) -> Option<B> {
        self.map(Cast::cast)
    }
}

impl<A: Cast<B>, B> Cast<Vec<B>> for Vec<A> {
    fn cast(self) -> Vec<B> {
        self.into_iter().map(Cast::cast).collect()
    }
}

impl<A: Cast<B>, B, E: Cast<F>, F> Cast<Result<B, F>> for Result<A, E> {
    fn cast(self) -> Result<B, F> {
        self.map(Cast::cast).map_err(Cast::cast)
    }
}

/// `Cast` both ways between records with the same fields.
macro_rules! cast_record {
    ($($a:path => $b:path { $($field:ident),* $(,)? })*) => {$(
        impl $crate::wire::Cast<$b> for $a {
            fn cast(self) -> $b {
                $b { $($field: $crate::wire::Cast::cast(self.$field)),* }
            }
        }
        impl $crate::wire::Cast<$a> for $b {
            fn cast(self) -> $a {
                $a { $($field: $crate::wire::Cast::cast(self.$field)),* }
            }
        }
    )*};
}

/// `Cast` both ways between enums with the same cases.
macro_rules! cast_enum {
    ($($a:path => $b:path { $($case:ident),* $(,)? })*) => {$(
        impl $crate::wire::Cast<$b> for $a {
            fn cast(self) -> $b {
                match self { $(Self::$case => <$b>::$case),* }
            }
        }
        impl $crate::wire::Cast<$a> for $b {
            fn cast(self) -> $a {
                match self { $(Self::$case => <$a>::$case),* }
            }
        }
    )*};
}

pub(crate) use {cast_enum, cast_record};
