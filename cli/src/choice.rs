//! Command-line values chosen by name from a library type's own list ([`Choice`]).

use clap::builder::{PossibleValuesParser, TypedValueParser};
use omnitok_corpus::choice::Choice;

/// A parser that offers `T`'s names (shown in `--help`, completed by shells) and gives a `T`.
pub fn choice<T: Choice + Send + Sync + Clone>() -> impl TypedValueParser<Value = T> {
    PossibleValuesParser::new(T::names()).try_map(|name| T::from_name(&name))
}
