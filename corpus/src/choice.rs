//! Options chosen by name (`--split line`, `split="line"`): each such type lists its names
//! once, here in the library, and the CLI and Python parse and show them from that list.

use crate::error::CorpusError;

/// A type whose values are chosen by name.
pub trait Choice: Copy + PartialEq + 'static {
    /// What is being chosen, as errors name it (`split`, `format`).
    const WHAT: &'static str;
    /// Every value with its name, in the order they are listed.
    const ALL: &'static [(Self, &'static str)];

    /// This value's name.
    fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(value, _)| *value == self)
            .map_or("", |(_, name)| name)
    }

    /// Every name, in the order they are listed.
    fn names() -> Vec<&'static str> {
        Self::ALL.iter().map(|(_, name)| *name).collect()
    }

    /// The value named `name`; an error lists the names there are.
    fn from_name(name: &str) -> Result<Self, CorpusError> {
        Self::ALL
            .iter()
            .find(|(_, known)| *known == name)
            .map(|(value, _)| *value)
            .ok_or_else(|| {
                CorpusError::BadParameter(format!(
                    "{} {name:?}; one of {}",
                    Self::WHAT,
                    Self::names().join(", ")
                ))
            })
    }
}

/// Implements [`Choice`], `Display` (the name) and `FromStr` (by name) for a unit enum.
macro_rules! choice {
    ($type:ident, $what:literal, [$($variant:ident => $name:literal),+ $(,)?]) => {
        impl $crate::choice::Choice for $type {
            const WHAT: &'static str = $what;
            const ALL: &'static [(Self, &'static str)] = &[$(($type::$variant, $name)),+];
        }

        impl std::fmt::Display for $type {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.pad($crate::choice::Choice::name(*self))
            }
        }

        impl std::str::FromStr for $type {
            type Err = $crate::error::CorpusError;

            fn from_str(name: &str) -> Result<Self, Self::Err> {
                <Self as $crate::choice::Choice>::from_name(name)
            }
        }
    };
}
pub(crate) use choice;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::multimodal::Modality;
    use crate::read::documents::{OnError, Split};
    use crate::read::inputs::{InputFormat, InputFormatChoice};
    use crate::tokenize::{Dtype, OutputFormat};

    /// Every name parses back to its value, and is the name manifests store (serde's).
    fn check<T: Choice + serde::Serialize + std::fmt::Debug>() {
        for &(value, name) in T::ALL {
            assert_eq!(T::from_name(name).unwrap(), value);
            assert_eq!(value.name(), name);
            let stored = serde_json::to_value(value).unwrap();
            if stored.is_string() {
                assert_eq!(stored, name, "{value:?}");
            }
        }
        let error = T::from_name("nonsense").unwrap_err().to_string();
        assert!(error.contains(&T::names().join(", ")), "{error}");
    }

    #[test]
    fn names_parse_back_and_are_those_manifests_hold() {
        check::<InputFormat>();
        check::<InputFormatChoice>();
        check::<Split>();
        check::<OnError>();
        check::<OutputFormat>();
        check::<Dtype>();
        check::<Modality>();
        assert_eq!(
            "line".parse::<Split>().unwrap().to_string(),
            Split::Line.to_string()
        );
        assert_eq!(
            "x".parse::<OnError>().unwrap_err().to_string(),
            "invalid parameter: on-error \"x\"; one of skip, replace, fail"
        );
    }
}
