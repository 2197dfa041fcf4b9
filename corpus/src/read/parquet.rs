//! Parquet inputs: each row's value in one string (or binary) column is a document.

use std::fs::File;

use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::DataType;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ProjectionMask;

use super::documents::{Action, Context, Emit, ErrorKind};
use crate::error::{CorpusError, Result};

/// Rows decoded at a time.
const BATCH_ROWS: usize = 1024;

/// Reads the documents of the Parquet file `file`, calling `emit(text, row)` for each (rows
/// counted from 1). Null values are empty documents.
pub fn read_parquet(file: File, context: &mut Context, emit: &mut Emit) -> Result<()> {
    let path = context.path.to_string();
    // A file that cannot be decoded is unreadable: skipped (and listed) unless the policy is to
    // fail, like an input that cannot be read at all.
    let unreadable = |message: String| {
        CorpusError::io(
            &path,
            std::io::Error::new(std::io::ErrorKind::InvalidData, message),
        )
    };
    let parquet_error = |e| unreadable(format!("cannot read Parquet: {e}"));
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(parquet_error)?;
    let column = &context.options.column;
    let schema = builder.parquet_schema();
    let leaf = schema
        .columns()
        .iter()
        .position(|c| c.path().parts() == column.as_slice())
        .ok_or_else(|| CorpusError::BadInput {
            path: path.clone(),
            line: 0,
            message: format!(
                "no column {:?} (columns: {})",
                column.join("."),
                schema
                    .columns()
                    .iter()
                    .map(|c| c.path().string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        })?;
    let mask = ProjectionMask::leaves(schema, [leaf]);
    let reader = builder
        .with_projection(mask)
        .with_batch_size(BATCH_ROWS)
        .build()
        .map_err(parquet_error)?;
    let mut row = 0u64;
    for batch in reader {
        let batch = batch
            .map_err(|e| unreadable(format!("cannot read Parquet at row {}: {e}", row + 1)))?;
        let values = leaf_array(&batch, column).ok_or_else(|| CorpusError::BadInput {
            path: path.clone(),
            line: row + 1,
            message: format!("column {:?} is not where its schema says", column.join(".")),
        })?;
        emit_column(&values, row, context, emit)?;
        row += values.len() as u64;
    }
    Ok(())
}

/// The array at `column` (a path through struct columns) of a projected batch.
fn leaf_array(batch: &RecordBatch, column: &[String]) -> Option<ArrayRef> {
    let (first, rest) = column.split_first()?;
    let mut array = batch.column_by_name(first)?.clone();
    for name in rest {
        array = array.as_struct_opt()?.column_by_name(name)?.clone();
    }
    Some(array)
}

/// Emits every value of `values`, whose first row is `first_row + 1`: strings as they are,
/// binary values as UTF-8 under the error policy.
fn emit_column<'a>(
    values: &'a ArrayRef,
    first_row: u64,
    context: &mut Context,
    emit: &mut Emit,
) -> Result<()> {
    let value: Box<dyn Fn(usize) -> &'a [u8] + 'a> = match values.data_type() {
        DataType::Utf8 => Box::new(|i| values.as_string::<i32>().value(i).as_bytes()),
        DataType::LargeUtf8 => Box::new(|i| values.as_string::<i64>().value(i).as_bytes()),
        DataType::Utf8View => Box::new(|i| values.as_string_view().value(i).as_bytes()),
        DataType::Binary => Box::new(|i| values.as_binary::<i32>().value(i)),
        DataType::LargeBinary => Box::new(|i| values.as_binary::<i64>().value(i)),
        DataType::BinaryView => Box::new(|i| values.as_binary_view().value(i)),
        other => {
            return Err(CorpusError::BadInput {
                path: context.path.to_string(),
                line: first_row + 1,
                message: format!(
                    "column {:?} holds {other}, not strings",
                    context.options.column.join(".")
                ),
            })
        }
    };
    for i in 0..values.len() {
        let row = first_row + i as u64 + 1;
        let bytes = if values.is_valid(i) { value(i) } else { b"" };
        if bytes.len() > context.options.max_document_bytes {
            let message = format!(
                "the value is longer than the limit of {} bytes",
                context.options.max_document_bytes
            );
            context.input_error(row, ErrorKind::TooLarge, message, Action::Skipped)?;
        } else if let Some(text) = context.utf8(bytes, row, "value")? {
            context.emit_split(&text, row, None, emit)?;
        }
    }
    Ok(())
}
