//! Data sets for calibration and evaluation: CSV rows of M_0 numbers, optionally
//! followed by a class index.

use std::path::Path;

/// One row: the input (scaled) and its label, if the row has one.
pub struct Row {
    /// M_0 values, each multiplied by the input scale.
    pub input: Vec<f32>,
    /// The class index in the last column, if there is one.
    pub label: Option<usize>,
}

/// Reads the rows of the CSV file at `path` for a network of `inputs` inputs and
/// `outputs` outputs. A row has `inputs` numbers, or `inputs + 1` with a class index
/// last (below `outputs`, or 0/1 for one output); `labelled` makes the label
/// compulsory. Every value must be a finite number. Errors name the file and line.
pub fn read(
    path: &Path,
    (inputs, outputs): (usize, usize),
    header: bool,
    scale: f32,
    labelled: bool,
) -> Result<Vec<Row>, String> {
    let file = path.display();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(header)
        .flexible(true)
        .from_path(path)
        .map_err(|e| format!("cannot read {file}: {e}"))?;
    let classes = outputs.max(2);
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| format!("{file}: {e}"))?;
        let line = record.position().map_or(0, |p| p.line());
        let at = |what: String| format!("{file}, line {line}: {what}");
        let n = record.len();
        if n != inputs && n != inputs + 1 {
            return Err(at(format!(
                "{n} columns; the network takes {inputs} inputs (then an optional class index)"
            )));
        }
        if labelled && n != inputs + 1 {
            return Err(at(format!(
                "no class index after the {inputs} inputs (--eval needs labelled rows)"
            )));
        }
        let mut input = Vec::with_capacity(inputs);
        for (j, field) in record.iter().take(inputs).enumerate() {
            match field.trim().parse::<f32>() {
                Ok(v) if (v * scale).is_finite() => input.push(v * scale),
                _ => {
                    return Err(at(format!(
                        "column {}: `{field}` is not a finite number",
                        j + 1
                    )));
                }
            }
        }
        let label = match record.get(inputs) {
            Some(field) => match field.trim().parse::<usize>() {
                Ok(k) if k < classes => Some(k),
                _ => {
                    return Err(at(format!(
                        "the class index `{field}` is not an integer below {classes}"
                    )));
                }
            },
            None => None,
        };
        rows.push(Row { input, label });
    }
    if rows.is_empty() {
        return Err(format!("{file}: no data rows"));
    }
    Ok(rows)
}

/// The class a network output predicts: the index of the largest value (the first on
/// a tie), or for a single output 1 when it is above 0.5.
pub fn class(y: &[f32]) -> usize {
    if let [v] = y {
        return usize::from(*v > 0.5);
    }
    let mut best = 0;
    for (k, v) in y.iter().enumerate() {
        if *v > y[best] {
            best = k;
        }
    }
    best
}
