//! A small loader for labelled CSV files: a header row naming the columns, then one row
//! per sample with the feature values followed by a class index.
//!
//! Every way the text can be wrong gives a [`LoadError`] that names the file and the
//! line (1-based, the header is line 1); nothing here panics on bad data. Fields may
//! be surrounded by spaces, lines may end in `\n` or `\r\n`, and empty lines are
//! skipped. Quoted fields are not supported (the data sets here have none).

use std::fmt;
use std::path::{Path, PathBuf};

/// The columns a file must have, in order: the features, then the label.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Columns {
    /// The names of the feature columns.
    pub features: Vec<String>,
    /// The name of the last column, the class index.
    pub label: String,
    /// The number of classes: a label must be an integer in `0..classes`.
    pub classes: usize,
}

impl Columns {
    /// The number of fields every line must have.
    pub fn width(&self) -> usize {
        self.features.len() + 1
    }

    /// The header line this file format expects.
    pub fn header(&self) -> String {
        let mut names: Vec<&str> = self.features.iter().map(String::as_str).collect();
        names.push(&self.label);
        names.join(",")
    }
}

/// The samples of a file: `features[i]` (one value per feature column) has the class
/// `labels[i]`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Dataset {
    /// One row of feature values per sample.
    pub features: Vec<Vec<f32>>,
    /// One class index per sample, each below [`Columns::classes`].
    pub labels: Vec<usize>,
}

impl Dataset {
    /// The number of samples.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether there are no samples.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }
}

/// Why a file could not be loaded. `source` is the path (or another name) of the text.
#[derive(Debug)]
pub enum LoadError {
    /// The file could not be read: it does not exist, is not readable, or is not UTF-8.
    Io {
        /// The path that was opened.
        path: PathBuf,
        /// What the operating system said.
        error: std::io::Error,
    },
    /// Line 1 is missing or is not the expected header.
    BadHeader {
        /// The file.
        source: String,
        /// The header that was expected.
        expected: String,
        /// What is wrong with the line that was found.
        problem: String,
    },
    /// A data line with the wrong number of comma-separated fields.
    FieldCount {
        /// The file.
        source: String,
        /// The line number, 1-based.
        line: usize,
        /// The number of columns in the header.
        expected: usize,
        /// The number of fields on the line.
        found: usize,
    },
    /// A field that is not a valid value for its column.
    BadField {
        /// The file.
        source: String,
        /// The line number, 1-based.
        line: usize,
        /// The column's name from the header.
        column: String,
        /// The field as found (trimmed).
        value: String,
        /// What the column needs, e.g. "a finite number".
        expected: String,
    },
    /// A header and no data lines.
    NoRows {
        /// The file.
        source: String,
    },
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::Io { path, error } => {
                write!(f, "cannot read {}: {error}", path.display())
            }
            LoadError::BadHeader {
                source,
                expected,
                problem,
            } => write!(
                f,
                "{source}, line 1: bad header: {problem} (expected `{}`)",
                abbreviate(expected)
            ),
            LoadError::FieldCount {
                source,
                line,
                expected,
                found,
            } => write!(
                f,
                "{source}, line {line}: expected {expected} fields, found {found}"
            ),
            LoadError::BadField {
                source,
                line,
                column,
                value,
                expected,
            } => write!(
                f,
                "{source}, line {line}, column `{column}`: `{value}` is not {expected}"
            ),
            LoadError::NoRows { source } => {
                write!(f, "{source}: the file has a header but no data lines")
            }
        }
    }
}

impl std::error::Error for LoadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            LoadError::Io { error, .. } => Some(error),
            _ => None,
        }
    }
}

/// A long header shown by its first and last columns.
fn abbreviate(header: &str) -> String {
    let names: Vec<&str> = header.split(',').collect();
    if names.len() <= 8 {
        header.to_owned()
    } else {
        format!(
            "{},{},{},...,{},{}",
            names[0],
            names[1],
            names[2],
            names[names.len() - 2],
            names[names.len() - 1]
        )
    }
}

/// Reads and parses the file at `path` (see [`parse`]).
pub fn load(path: impl AsRef<Path>, columns: &Columns) -> Result<Dataset, LoadError> {
    let path = path.as_ref();
    let text = std::fs::read_to_string(path).map_err(|error| LoadError::Io {
        path: path.to_owned(),
        error,
    })?;
    parse(&text, &path.display().to_string(), columns)
}

/// Parses CSV text whose header must be exactly `columns` (names compared after
/// trimming spaces). `source` names the text in errors.
pub fn parse(text: &str, source: &str, columns: &Columns) -> Result<Dataset, LoadError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l));
    let bad_header = |problem: String| LoadError::BadHeader {
        source: source.to_owned(),
        expected: columns.header(),
        problem,
    };

    let header = match lines.next() {
        Some((_, line)) if !line.trim().is_empty() => line,
        _ => return Err(bad_header("the first line is empty".to_owned())),
    };
    let names: Vec<&str> = header.split(',').map(str::trim).collect();
    if names.len() != columns.width() {
        return Err(bad_header(format!(
            "it has {} columns, expected {}",
            names.len(),
            columns.width()
        )));
    }
    let wanted = columns
        .features
        .iter()
        .map(String::as_str)
        .chain([columns.label.as_str()]);
    for (k, (found, wanted)) in names.iter().zip(wanted).enumerate() {
        if *found != wanted {
            return Err(bad_header(format!(
                "column {} is named `{found}`, expected `{wanted}`",
                k + 1
            )));
        }
    }

    let mut data = Dataset::default();
    for (line, text) in lines {
        if text.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = text.split(',').map(str::trim).collect();
        if fields.len() != columns.width() {
            return Err(LoadError::FieldCount {
                source: source.to_owned(),
                line,
                expected: columns.width(),
                found: fields.len(),
            });
        }
        let bad_field = |column: &str, value: &str, expected: String| LoadError::BadField {
            source: source.to_owned(),
            line,
            column: column.to_owned(),
            value: value.to_owned(),
            expected,
        };
        let mut row = Vec::with_capacity(columns.features.len());
        for (name, value) in columns.features.iter().zip(&fields) {
            match value.parse::<f32>() {
                Ok(v) if v.is_finite() => row.push(v),
                _ => return Err(bad_field(name, value, "a finite number".to_owned())),
            }
        }
        let value = fields[columns.features.len()];
        let label = match value.parse::<usize>() {
            Ok(c) if c < columns.classes => c,
            _ => {
                return Err(bad_field(
                    &columns.label,
                    value,
                    format!(
                        "a class index (an integer from 0 to {})",
                        columns.classes.saturating_sub(1)
                    ),
                ));
            }
        };
        data.features.push(row);
        data.labels.push(label);
    }
    if data.is_empty() {
        return Err(LoadError::NoRows {
            source: source.to_owned(),
        });
    }
    Ok(data)
}
