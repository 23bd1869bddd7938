//! End-to-end training on real data, with the set-ups of the examples (shared through
//! `examples/common`): digits and iris must reach their test-accuracy bars and sine its
//! test-MSE bar, with the examples' fixed seeds. Also the CSV loader's errors on
//! malformed text.

#[path = "../examples/common/mod.rs"]
mod common;

use common::csv::{self, Columns, LoadError};
use common::tasks::{self, DIGITS, DIGITS_BAR, IRIS, IRIS_BAR, SINE, SINE_BAR};

#[test]
fn digits_reach_the_accuracy_bar() {
    let data = csv::load(tasks::DIGITS_CSV, &tasks::digits_columns()).unwrap();
    assert_eq!(data.len(), 1797);
    let run = tasks::train_digits(&data, &DIGITS, |_| {}).unwrap();
    assert_eq!(run.reports.len(), DIGITS.epochs);
    assert_eq!((run.train.samples, run.test.samples), (1438, 359));
    assert!(
        run.test.accuracy >= DIGITS_BAR,
        "digits: test accuracy {:.4} below {DIGITS_BAR}",
        run.test.accuracy
    );
    // The last epoch's report evaluated the same network on the same test part.
    assert_eq!(run.reports.last().unwrap().test, Some(run.test));
}

#[test]
fn iris_reaches_the_accuracy_bar() {
    let data = csv::load(tasks::IRIS_CSV, &tasks::iris_columns()).unwrap();
    assert_eq!(data.len(), 150);
    let run = tasks::train_iris(&data, &IRIS, |_| {}).unwrap();
    assert_eq!((run.train.samples, run.test.samples), (120, 30));
    assert!(
        run.test.accuracy >= IRIS_BAR,
        "iris: test accuracy {:.4} below {IRIS_BAR}",
        run.test.accuracy
    );
}

#[test]
fn sine_reaches_the_mse_bar() {
    let run = tasks::train_sine(&SINE, |_| {}).unwrap();
    assert_eq!((run.train.samples, run.test.samples), (800, 200));
    assert!(
        run.test.loss < SINE_BAR,
        "sine: test MSE {:e} not below {SINE_BAR:e}",
        run.test.loss
    );
}

#[test]
fn the_same_seed_gives_the_same_run() {
    let data = csv::load(tasks::IRIS_CSV, &tasks::iris_columns()).unwrap();
    let config = tasks::Config { epochs: 5, ..IRIS };
    let a = tasks::train_iris(&data, &config, |_| {}).unwrap();
    let b = tasks::train_iris(&data, &config, |_| {}).unwrap();
    assert_eq!(a.net, b.net);
    let c = tasks::train_iris(
        &data,
        &tasks::Config {
            seed: config.seed + 1,
            ..config
        },
        |_| {},
    )
    .unwrap();
    assert_ne!(a.net, c.net);
}

#[test]
fn standardisation_uses_the_population_std() {
    let stats = tasks::mean_std(&[vec![1.0, 5.0], vec![3.0, 5.0]]);
    assert_eq!(stats, vec![(2.0, 1.0), (5.0, 1.0)]);
}

// ---- the loader's errors ----

/// Two features `a`, `b` and a label `class` in 0..3.
fn columns() -> Columns {
    Columns {
        features: vec!["a".to_owned(), "b".to_owned()],
        label: "class".to_owned(),
        classes: 3,
    }
}

fn parse(text: &str) -> Result<csv::Dataset, LoadError> {
    csv::parse(text, "test.csv", &columns())
}

#[test]
fn good_text_parses() {
    let data = parse("a,b,class\n1,2.5,0\r\n -1e-3 , 4 ,2\n\n0,0,1").unwrap();
    assert_eq!(
        data.features,
        vec![vec![1.0, 2.5], vec![-1e-3, 4.0], vec![0.0, 0.0]]
    );
    assert_eq!(data.labels, vec![0, 2, 1]);
}

#[test]
fn a_missing_file_is_an_io_error_naming_the_path() {
    let err = csv::load("examples/data/no-such-file.csv", &columns()).unwrap_err();
    assert!(matches!(
        &err,
        LoadError::Io { error, .. } if error.kind() == std::io::ErrorKind::NotFound
    ));
    let msg = err.to_string();
    assert!(
        msg.starts_with("cannot read examples/data/no-such-file.csv: "),
        "{msg}"
    );
    assert!(std::error::Error::source(&err).is_some());
}

#[test]
fn an_empty_file_has_a_bad_header() {
    for text in ["", "\n1,2,0\n"] {
        let err = parse(text).unwrap_err();
        assert!(matches!(err, LoadError::BadHeader { .. }), "{err:?}");
        assert_eq!(
            err.to_string(),
            "test.csv, line 1: bad header: the first line is empty (expected `a,b,class`)"
        );
    }
}

#[test]
fn a_header_with_wrong_columns_is_refused() {
    let err = parse("a,b\n1,2\n").unwrap_err();
    assert_eq!(
        err.to_string(),
        "test.csv, line 1: bad header: it has 2 columns, expected 3 (expected `a,b,class`)"
    );
    let err = parse("a,c,class\n1,2,0\n").unwrap_err();
    assert_eq!(
        err.to_string(),
        "test.csv, line 1: bad header: column 2 is named `c`, expected `b` (expected `a,b,class`)"
    );
    // A file without a header: its first data line is taken for one, and refused.
    let err = parse("1,2,0\n3,4,1\n").unwrap_err();
    assert!(matches!(err, LoadError::BadHeader { .. }));
}

#[test]
fn a_long_expected_header_is_abbreviated() {
    let err = csv::parse("x\n", "digits.csv", &tasks::digits_columns()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "digits.csv, line 1: bad header: it has 1 columns, expected 65 \
         (expected `p0,p1,p2,...,p63,digit`)"
    );
}

#[test]
fn a_row_with_the_wrong_number_of_fields_names_its_line() {
    let err = parse("a,b,class\n1,2,0\n\n1,2\n").unwrap_err();
    assert!(matches!(
        err,
        LoadError::FieldCount {
            line: 4,
            expected: 3,
            found: 2,
            ..
        }
    ));
    assert_eq!(
        err.to_string(),
        "test.csv, line 4: expected 3 fields, found 2"
    );
    let err = parse("a,b,class\n1,2,0,\n").unwrap_err();
    assert_eq!(
        err.to_string(),
        "test.csv, line 2: expected 3 fields, found 4"
    );
}

#[test]
fn a_field_that_does_not_parse_names_line_and_column() {
    let cases = [
        (
            "a,b,class\n1,2,0\n1,x,0\n",
            "test.csv, line 3, column `b`: `x` is not a finite number",
        ),
        (
            "a,b,class\n,2,0\n",
            "test.csv, line 2, column `a`: `` is not a finite number",
        ),
        (
            "a,b,class\nNaN,2,0\n",
            "test.csv, line 2, column `a`: `NaN` is not a finite number",
        ),
        (
            "a,b,class\n1,inf,0\n",
            "test.csv, line 2, column `b`: `inf` is not a finite number",
        ),
        (
            "a,b,class\n1,2,3\n",
            "test.csv, line 2, column `class`: `3` is not a class index (an integer from 0 to 2)",
        ),
        (
            "a,b,class\n1,2,-1\n",
            "test.csv, line 2, column `class`: `-1` is not a class index (an integer from 0 to 2)",
        ),
        (
            "a,b,class\n1,2,1.0\n",
            "test.csv, line 2, column `class`: `1.0` is not a class index (an integer from 0 to 2)",
        ),
    ];
    for (text, message) in cases {
        let err = parse(text).unwrap_err();
        assert!(matches!(err, LoadError::BadField { .. }), "{err:?}");
        assert_eq!(err.to_string(), message);
    }
}

#[test]
fn a_header_without_rows_is_an_error() {
    let err = parse("a,b,class\n\n").unwrap_err();
    assert!(matches!(err, LoadError::NoRows { .. }));
    assert_eq!(
        err.to_string(),
        "test.csv: the file has a header but no data lines"
    );
}

#[test]
fn a_network_of_another_width_is_refused_not_panicking() {
    let data = parse("a,b,class\n1,2,0\n3,4,1\n5,6,2\n").unwrap();
    let err = tasks::train_iris(&data, &IRIS, |_| {}).unwrap_err();
    assert_eq!(
        err,
        tasks::RunError::InputWidth {
            expected: 4,
            found: 2
        }
    );
}
