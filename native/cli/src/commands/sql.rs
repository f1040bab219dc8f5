//! `zkmr sql`: run SQL with the zkmr functions on the embedded DataFusion engine.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, RecordBatch};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::ScalarValue;
use datafusion::datasource::file_format::options::{
    ArrowReadOptions, CsvReadOptions, JsonReadOptions, ParquetReadOptions,
};
use datafusion::execution::context::{SessionConfig, SessionContext};
use datafusion::sql::parser::DFParser;
use zkmr_core::fixed_point::Number;
use zkmr_core::setup::{srs_choice, SrsChoice};
use zkmr_core::{Error, Result};
use zkmr_sql::SessionOptions;

use crate::output::{self, say};
use crate::paths::Paths;
use crate::progress::Bar;
use crate::render::{self, Rows};

#[derive(clap::Args)]
pub struct Args {
    /// SQL to run; several statements are separated by `;`.
    #[arg(
        value_name = "QUERY",
        required_unless_present = "file",
        conflicts_with = "file"
    )]
    pub query: Option<String>,
    /// Read the SQL from this file instead.
    #[arg(long, value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// Register a table: NAME=PATH, the format from the extension (.parquet, .csv,
    /// .json/.ndjson, .arrow/.ipc).
    #[arg(long = "table", value_name = "NAME=PATH")]
    pub tables: Vec<String>,
    /// Bind a query parameter ($NAME): NAME=JSON (a number, string or array of numbers) or
    /// NAME=@FILE (a vector file: JSON, Parquet or Arrow IPC).
    #[arg(long = "param", value_name = "NAME=VALUE")]
    pub params: Vec<String>,
    /// The scheme zkCommitMatrix commits under: pedersen (default) or halo2 (with --srs or
    /// --dev-srs).
    #[arg(long, default_value = "pedersen", value_parser = str::parse::<zkmr_core::Scheme>)]
    pub scheme: zkmr_core::Scheme,
    /// halo2: KZG parameters file for zkCommitMatrix.
    #[arg(long, value_name = "FILE", conflicts_with = "dev_srs")]
    pub srs: Option<PathBuf>,
    /// halo2: let zkCommitMatrix use the insecure, deterministic development SRS.
    #[arg(long)]
    pub dev_srs: bool,
    /// Let zkCommitMatrix replace an existing key store.
    #[arg(long)]
    pub force: bool,
    /// Rows per batch read from tables; smaller batches hold less of a wide matrix at once.
    #[arg(long, default_value_t = 1024, value_parser = clap::value_parser!(u32).range(1..=1 << 20))]
    pub batch_size: u32,
    /// Write the job bundle of the last statement (a `bundle` column, or the `bundle` field of
    /// a zkCommit result in its first row) to this file, for `zkmr verify`.
    #[arg(long, value_name = "FILE")]
    pub bundle_out: Option<PathBuf>,
    /// Print one JSON object with every statement's rows.
    #[arg(long)]
    pub json: bool,
}

/// A statement's result as printed.
#[derive(serde::Serialize)]
struct StatementResult {
    sql: String,
    rows: Rows,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let bundle_out = args.bundle_out.as_deref().map(output::path);
    let tables: Vec<&Path> = args
        .tables
        .iter()
        .filter_map(|t| t.split_once('=').map(|(_, path)| Path::new(path)))
        .collect();
    tables
        .iter()
        .fold(Paths::default(), |p, t| p.read("--table", *t))
        .read("--file", args.file.as_deref())
        .write("--bundle-out", bundle_out.as_deref())
        .check()?;
    let sql = match &args.file {
        Some(path) => std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?,
        None => args.query.clone().unwrap_or_default(),
    };
    let srs = srs_choice(args.srs.clone(), args.dev_srs)?;
    if srs
        .as_ref()
        .is_some_and(|s| matches!(s, SrsChoice::Development { .. }))
        && !args.json
    {
        eprintln!("{}", output::UNSAFE_SRS);
    }
    let bar = Arc::new(Bar::new("sql"));
    let options = SessionOptions {
        scheme: args.scheme,
        srs,
        replace_stores: args.force,
        progress: Some(bar.clone()),
    };
    let params = args
        .params
        .iter()
        .map(|p| param(p))
        .collect::<Result<Vec<_>>>()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Usage(format!("cannot start the query runtime: {e}")))?;
    let results = runtime.block_on(execute(&sql, &args, options, params, &bar));
    bar.finish();
    let (results, last) = results?;
    if let Some(path) = &bundle_out {
        let bundle = last.iter().find_map(bundle_of).ok_or_else(|| {
            Error::Usage(format!(
                "--bundle-out {}: the last statement returned no bundle",
                path.display()
            ))
        })?;
        zkmr_core::fsio::write_bytes(path, &bundle)?;
    }
    if args.json {
        output::json(&serde_json::json!({ "statements": results }));
    } else {
        for result in &results {
            if !result.rows.is_empty() {
                say!("{}", render::table(&result.rows));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn execute(
    sql: &str,
    args: &Args,
    options: SessionOptions,
    params: Vec<(String, ScalarValue)>,
    bar: &Bar,
) -> Result<(Vec<StatementResult>, Vec<RecordBatch>)> {
    let config = SessionConfig::new()
        .with_batch_size(args.batch_size as usize)
        .with_information_schema(true);
    let ctx = SessionContext::new_with_config(config);
    zkmr_sql::register(&ctx, options);
    for table in &args.tables {
        register_table(&ctx, table).await?;
    }
    let statements = DFParser::parse_sql(sql).map_err(|e| Error::Input(format!("SQL: {e}")))?;
    let mut results = Vec::new();
    let mut last = Vec::new();
    for statement in statements {
        bar.restart();
        let text = statement.to_string();
        let failed = |e: datafusion::error::DataFusionError| {
            // Errors met while reading a table (a bad cell) do not name its file: list them.
            let tables = if args.tables.is_empty() {
                String::new()
            } else {
                format!("\n  tables: {}", args.tables.join(", "))
            };
            Error::Input(format!(
                "{}\n  in: {}{tables}",
                e.strip_backtrace(),
                abbreviate(&text)
            ))
        };
        let plan = ctx
            .state()
            .statement_to_plan(statement)
            .await
            .map_err(failed)?;
        let mut frame = ctx.execute_logical_plan(plan).await.map_err(failed)?;
        if !params.is_empty() {
            frame = frame.with_param_values(params.clone()).map_err(failed)?;
        }
        let batches = frame.collect().await.map_err(failed)?;
        results.push(StatementResult {
            sql: text,
            rows: render::rows(&batches),
        });
        last = batches;
    }
    Ok((results, last))
}

/// The first row's bundle in `batch`: a binary column named `bundle`, or such a field of a
/// struct column.
fn bundle_of(batch: &RecordBatch) -> Option<Vec<u8>> {
    if batch.num_rows() == 0 {
        return None;
    }
    let binary = |array: &ArrayRef| {
        array
            .as_binary_opt::<i32>()
            .filter(|b| b.is_valid(0))
            .map(|b| b.value(0).to_vec())
    };
    let schema = batch.schema();
    schema
        .fields()
        .iter()
        .zip(batch.columns())
        .find_map(|(field, column)| match field.data_type() {
            DataType::Struct(_) => column.as_struct().column_by_name("bundle").and_then(binary),
            _ if field.name() == "bundle" => binary(column),
            _ => None,
        })
}

/// A statement shortened for error messages.
fn abbreviate(sql: &str) -> String {
    const SHOWN: usize = 160;
    if sql.chars().count() > SHOWN {
        format!("{}...", sql.chars().take(SHOWN).collect::<String>())
    } else {
        sql.to_string()
    }
}

async fn register_table(ctx: &SessionContext, spec: &str) -> Result<()> {
    let (name, path) = spec
        .split_once('=')
        .ok_or_else(|| Error::Usage(format!("--table {spec}: expected NAME=PATH")))?;
    let extension = Path::new(path)
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let registered = match extension.as_str() {
        "parquet" => {
            ctx.register_parquet(name, path, ParquetReadOptions::default())
                .await
        }
        "csv" => ctx.register_csv(name, path, CsvReadOptions::new()).await,
        "json" | "ndjson" | "jsonl" => {
            let file_extension = format!(".{extension}");
            let options = JsonReadOptions {
                file_extension: &file_extension,
                ..Default::default()
            };
            ctx.register_json(name, path, options).await
        }
        "arrow" | "ipc" | "feather" => {
            let file_extension = format!(".{extension}");
            let options = ArrowReadOptions {
                file_extension: &file_extension,
                ..Default::default()
            };
            ctx.register_arrow(name, path, options).await
        }
        other => {
            return Err(Error::Usage(format!(
                "--table {spec}: unknown extension \"{other}\" (use .parquet, .csv, .json, .ndjson or .arrow)"
            )))
        }
    };
    registered.map_err(|e| Error::Input(format!("--table {spec}: {}", e.strip_backtrace())))
}

/// Parses `--param NAME=VALUE`.
fn param(spec: &str) -> Result<(String, ScalarValue)> {
    let (name, value) = spec
        .split_once('=')
        .ok_or_else(|| Error::Usage(format!("--param {spec}: expected NAME=VALUE")))?;
    let name = name.trim_start_matches('$').to_string();
    let scalar = match value.strip_prefix('@') {
        Some(file) => numbers_list(&zkmr_io::read_vector(Path::new(file))?),
        None => {
            let json: serde_json::Value = serde_json::from_str(value).map_err(|e| {
                Error::Usage(format!(
                    "--param {name}: not JSON ({e}); quote strings as \"...\""
                ))
            })?;
            json_scalar(&json).ok_or_else(|| {
                Error::Usage(format!(
                    "--param {name}: expected a number, a string or an array of numbers"
                ))
            })?
        }
    };
    Ok((name, scalar))
}

fn json_scalar(json: &serde_json::Value) -> Option<ScalarValue> {
    match json {
        serde_json::Value::String(s) => Some(ScalarValue::Utf8(Some(s.clone()))),
        serde_json::Value::Number(n) => Some(match n.as_i64() {
            Some(i) => ScalarValue::Int64(Some(i)),
            None => ScalarValue::Float64(n.as_f64()),
        }),
        serde_json::Value::Array(items) => {
            let numbers = items
                .iter()
                .map(|v| match v.as_i64() {
                    Some(i) => Some(Number::Int(i)),
                    None => v.as_f64().map(Number::Float),
                })
                .collect::<Option<Vec<_>>>()?;
            Some(numbers_list(&numbers))
        }
        _ => None,
    }
}

/// A list value: `BIGINT[]` when every entry is an integer, `DOUBLE[]` otherwise.
fn numbers_list(numbers: &[Number]) -> ScalarValue {
    let ints = numbers.iter().all(|n| matches!(n, Number::Int(_)));
    let values: Vec<ScalarValue> = numbers
        .iter()
        .map(|n| match (n, ints) {
            (Number::Int(i), true) => ScalarValue::Int64(Some(*i)),
            (n, _) => ScalarValue::Float64(Some(n.as_f64())),
        })
        .collect();
    let element = if ints {
        DataType::Int64
    } else {
        DataType::Float64
    };
    ScalarValue::List(ScalarValue::new_list_nullable(&values, &element))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_parse_numbers_strings_and_arrays() {
        let (name, v) = param("$x=[1, 2.5]").unwrap();
        assert_eq!(name, "x");
        assert!(matches!(
            v.data_type(),
            datafusion::arrow::datatypes::DataType::List(f)
                if *f.data_type() == datafusion::arrow::datatypes::DataType::Float64
        ));
        let (_, v) = param("n=3").unwrap();
        assert_eq!(v, ScalarValue::Int64(Some(3)));
        let (_, v) = param("s=\"keys\"").unwrap();
        assert_eq!(v, ScalarValue::Utf8(Some("keys".into())));
        assert!(param("x").is_err());
        assert!(param("x={}").is_err());
    }
}
