//! [`Cast`]: moving a value between the same-shaped types two WIT versions generate, field by
//! field, so an older version's host functions can call the newest ones.

use wasmtime::component::Resource;

/// A move between two types of the same shape.
pub(crate) trait Cast<T> {
    fn cast(self) -> T;
}

/// Types both versions share.
macro_rules! as_is {
    ($($ty:ty),*) => {$(
        impl Cast<$ty> for $ty {
            fn cast(self) -> $ty {
                self
            }
        }
    )*};
}

as_is!(
    (),
    String,
    bool,
    u8,
    u16,
    u32,
    u64,
    i64,
    f64,
    wasmtime::Error
);

impl<T: 'static> Cast<Resource<T>> for Resource<T> {
    fn cast(self) -> Resource<T> {
        self
    }
}

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

impl<A: Cast<B>, B, C: Cast<D>, D> Cast<(B, D)> for (A, C) {
    fn cast(self) -> (B, D) {
        (self.0.cast(), self.1.cast())
    }
}

/// `Cast` both ways between records with the same fields.
macro_rules! cast_record {
    ($($a:path => $b:path { $($field:ident),* $(,)? })*) => {$(
        impl $crate::convert::Cast<$b> for $a {
            fn cast(self) -> $b {
                $b { $($field: $crate::convert::Cast::cast(self.$field)),* }
            }
        }
        impl $crate::convert::Cast<$a> for $b {
            fn cast(self) -> $a {
                $a { $($field: $crate::convert::Cast::cast(self.$field)),* }
            }
        }
    )*};
}

/// `Cast` both ways between enums with the same cases.
macro_rules! cast_enum {
    ($($a:path => $b:path { $($case:ident),* $(,)? })*) => {$(
        impl $crate::convert::Cast<$b> for $a {
            fn cast(self) -> $b {
                match self { $(Self::$case => <$b>::$case),* }
            }
        }
        impl $crate::convert::Cast<$a> for $b {
            fn cast(self) -> $a {
                match self { $(Self::$case => <$a>::$case),* }
            }
        }
    )*};
}

pub(crate) use {cast_enum, cast_record};
