//! The exceptions raised to Python: the classes of `omnitok.errors` (one base, `OmnitokError`,
//! each class also the built-in exception it stands for), made from messages and I/O kinds.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyType;

/// Which class of `omnitok.errors` an error is.
#[derive(Clone, Copy)]
enum Class {
    Input,
    Limit,
    UnknownToken,
    ArgumentType,
    File,
    FileMissing,
    FilePermission,
}

impl Class {
    fn name(self) -> &'static str {
        match self {
            Class::Input => "InputError",
            Class::Limit => "LimitError",
            Class::UnknownToken => "UnknownTokenError",
            Class::ArgumentType => "ArgumentTypeError",
            Class::File => "FileError",
            Class::FileMissing => "FileMissingError",
            Class::FilePermission => "FilePermissionError",
        }
    }
}

const CLASSES: usize = 7;

/// The exception of `class` with `message`. Should `omnitok.errors` not import, the built-in
/// exception it stands for is raised instead.
fn raise(class: Class, message: String) -> PyErr {
    static TYPES: PyOnceLock<[Py<PyType>; CLASSES]> = PyOnceLock::new();
    Python::attach(|py| {
        let types = TYPES.get_or_try_init(py, || -> PyResult<[Py<PyType>; CLASSES]> {
            let module = py.import("omnitok.errors")?;
            let get = |class: Class| -> PyResult<Py<PyType>> {
                Ok(module
                    .getattr(class.name())?
                    .cast_into::<PyType>()?
                    .unbind())
            };
            Ok([
                get(Class::Input)?,
                get(Class::Limit)?,
                get(Class::UnknownToken)?,
                get(Class::ArgumentType)?,
                get(Class::File)?,
                get(Class::FileMissing)?,
                get(Class::FilePermission)?,
            ])
        });
        match types {
            Ok(types) => PyErr::from_type(types[class as usize].bind(py).clone(), (message,)),
            Err(_) => builtin(class, message),
        }
    })
}

/// The built-in exception `class` stands for.
fn builtin(class: Class, message: String) -> PyErr {
    use pyo3::exceptions as e;
    match class {
        Class::Input | Class::Limit => e::PyValueError::new_err(message),
        Class::UnknownToken => e::PyKeyError::new_err(message),
        Class::ArgumentType => e::PyTypeError::new_err(message),
        Class::File => e::PyOSError::new_err(message),
        Class::FileMissing => e::PyFileNotFoundError::new_err(message),
        Class::FilePermission => e::PyPermissionError::new_err(message),
    }
}

/// `InputError` (a `ValueError`): a bad argument value or input that is not what it should be.
pub(crate) fn input_error(message: impl Into<String>) -> PyErr {
    raise(Class::Input, message.into())
}

/// `LimitError` (an `InputError`): input larger than a stated limit.
pub(crate) fn limit_error(message: impl Into<String>) -> PyErr {
    raise(Class::Limit, message.into())
}

/// `UnknownTokenError` (a `KeyError` and an `InputError`): an ID or token not in the vocabulary.
pub(crate) fn unknown_token_error(message: impl Into<String>) -> PyErr {
    raise(Class::UnknownToken, message.into())
}

/// `ArgumentTypeError` (a `TypeError`): an argument of the wrong type.
pub(crate) fn argument_type_error(message: impl Into<String>) -> PyErr {
    raise(Class::ArgumentType, message.into())
}

/// `FileError` (an `OSError`), or its subclass for a missing file or a refused permission.
pub(crate) fn file_error(kind: std::io::ErrorKind, message: impl Into<String>) -> PyErr {
    let class = match kind {
        std::io::ErrorKind::NotFound => Class::FileMissing,
        std::io::ErrorKind::PermissionDenied => Class::FilePermission,
        _ => Class::File,
    };
    raise(class, message.into())
}

/// The I/O error behind `error`, if one is.
pub(crate) fn io_cause<'e>(
    error: &'e (dyn std::error::Error + 'static),
) -> Option<&'e std::io::Error> {
    let mut cause = Some(error);
    while let Some(error) = cause {
        if let Some(io) = error.downcast_ref::<std::io::Error>() {
            return Some(io);
        }
        cause = error.source();
    }
    None
}
