//! `zkmr generate`: a random matrix as Parquet (and a vector as JSON), for trying zkmr at scale.

use std::path::PathBuf;
use std::process::ExitCode;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use zkmr_core::{fsio, Result};

use crate::output::{self, say};
use crate::paths::Paths;

#[derive(clap::Args)]
pub struct Args {
    #[arg(long)]
    pub rows: usize,
    #[arg(long)]
    pub cols: usize,
    /// Parquet file for the matrix (`row: int64, values: list<float64>`).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Also write a random vector of `cols` entries as a JSON array here.
    #[arg(long, value_name = "FILE")]
    pub vector_out: Option<PathBuf>,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// A value in [-8, 8) on a 1/256 grid: exact at the default 16-bit scale, so `y` carries no
/// quantization error and checks stay exact.
fn value(rng: &mut ChaCha8Rng) -> f64 {
    rng.gen_range(-2048i32..2048) as f64 / 256.0
}

pub fn run(args: Args) -> Result<ExitCode> {
    if args.rows == 0 || args.cols == 0 {
        return Err(zkmr_core::Error::Usage(
            "--rows and --cols must be positive".into(),
        ));
    }
    Paths::default()
        .write("--out", &*args.out)
        .write("--vector-out", args.vector_out.as_deref())
        .check()?;
    let mut rng = ChaCha8Rng::seed_from_u64(args.seed);
    let cols = args.cols;
    let rows = (0..args.rows).map(|_| (0..cols).map(|_| value(&mut rng)).collect());
    zkmr_io::write_matrix_parquet(&args.out, cols, rows)?;
    if let Some(path) = &args.vector_out {
        let x: Vec<f64> = (0..cols).map(|_| value(&mut rng)).collect();
        fsio::write_bytes(path, &serde_json::to_vec(&x).expect("numbers serialise"))?;
    }
    let report = serde_json::json!({
        "matrix": args.out.display().to_string(),
        "vector": args.vector_out.as_ref().map(|p| p.display().to_string()),
        "rows": args.rows,
        "cols": args.cols,
    });
    if args.json {
        output::json(&report);
    } else {
        say!(
            "wrote {}x{} matrix to {}",
            args.rows,
            args.cols,
            args.out.display()
        );
        if let Some(path) = &args.vector_out {
            say!("wrote {}-entry vector to {}", cols, path.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}
