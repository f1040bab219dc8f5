//! The native methods of a chain proved on an engine (`docs/chains.md`): the driver holds the
//! chain, asks it for each step's input, has the engine's tasks multiply the stage's matrix by
//! it where the rows are (`multiplyRows`), and hands their products back to be proved as the
//! step. Each input is made here from the last verified output, so the driver cannot feed a
//! step anything the verifier would not make.

use jni::objects::{JByteArray, JClass, JLongArray, JObjectArray, JString};
use jni::sys::{jint, jlong};
use jni::{Env, EnvUnowned};
use prost::Message;
use zkmr_core::chain::prove::{stage_store, Stepper};
use zkmr_core::chain::spec::ChainSpec;
use zkmr_core::store::digest_to_hex;
use zkmr_core::Error;

use crate::boundary::{run, Result};
use crate::methods::{job_vectors_at, message, messages, store, text};

/// A chain's inputs travel to tasks as doubles, exact up to 53 bits.
const DOUBLE_BITS: u32 = 53;

/// The chain behind a handle from `chainOpen`: `None` once finished.
///
/// # Safety
/// `handle` must come from `chainOpen` and not yet be closed; `io.zkmr.ZkChain` calls under its
/// own lock and closes once.
unsafe fn chain<'a>(handle: jlong) -> Result<&'a mut Option<Stepper>> {
    (handle as *mut Option<Stepper>)
        .as_mut()
        .ok_or_else(|| Error::Usage("the chain is closed".into()).into())
}

fn open_chain(chain: &mut Option<Stepper>) -> Result<&mut Stepper> {
    chain
        .as_mut()
        .ok_or_else(|| Error::Usage("the chain is finished".into()).into())
}

/// `long chainOpen(String spec, long[] stores, byte[] firstIpc)`: starts the chain `spec`
/// (JSON, as `zkmr chain prove --spec` reads it), one of whose `stores` holds the first stage's
/// matrix, from the input `firstIpc` (as `x` is sent), or null when the spec makes its first
/// input.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_zkmr_NativeBridge_chainOpen<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    spec: JString<'local>,
    stores: JLongArray<'local>,
    first: JByteArray<'local>,
) -> jlong {
    run(&mut env, |env| {
        let spec = ChainSpec::from_json(&text(env, &spec, "spec")?, "spec")?;
        if spec.input.value_bits > DOUBLE_BITS {
            return Err(Error::Usage(format!(
                "a chain on an engine sends its inputs to the tasks as doubles: at most \
                 {DOUBLE_BITS} value bits, not the spec's {}",
                spec.input.value_bits
            ))
            .into());
        }
        let open = longs(env, &stores)?
            .into_iter()
            .map(|handle| unsafe { store(handle) })
            .collect::<Result<Vec<_>>>()?;
        let first_store = stage_store(&spec, 0, open)?;
        let first = if first.is_null() {
            None
        } else {
            let encoding = spec.encoding();
            Some(job_vectors_at(
                env,
                &first,
                encoding.scale_bits as jint,
                encoding.value_bits as jint,
            )?)
        };
        let stepper = Stepper::start(&spec, first_store, first.as_ref())?;
        Ok(Box::into_raw(Box::new(Some(stepper))) as jlong)
    })
}

fn longs(env: &Env<'_>, array: &JLongArray<'_>) -> Result<Vec<jlong>> {
    if array.is_null() {
        return Err(Error::Usage("stores is null".into()).into());
    }
    let mut out = vec![0; array.len(env)?];
    array.get_region(env, 0, &mut out)?;
    Ok(out)
}

/// Where `stepper` stands: the next step's input and stage, or that the chain is over.
fn state(stepper: &Stepper) -> Result<zkmr_proto::ChainState> {
    let mut out = zkmr_proto::ChainState {
        steps: stepper.steps() as u32,
        last_job_root: stepper
            .last_job_root()
            .as_ref()
            .map(digest_to_hex)
            .unwrap_or_default(),
        ..Default::default()
    };
    match (stepper.next_input()?, stepper.commitment()) {
        (Some(x), Some(commitment)) => {
            out.next_step = stepper.label();
            out.x = x
                .values
                .iter()
                .map(|v| x.encoding.decode(*v as i128))
                .collect();
            out.vectors = x.count as u32;
            out.x_scale_bits = x.encoding.scale_bits;
            out.x_value_bits = x.encoding.value_bits;
            out.matrix_commitment = digest_to_hex(&commitment);
        }
        _ => out.done = true,
    }
    Ok(out)
}

/// `byte[] chainState(long chain)`: `ChainState`, the next step's input and stage.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_zkmr_NativeBridge_chainState<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
) -> JByteArray<'local> {
    run(&mut env, |env| {
        let stepper = open_chain(unsafe { chain(handle) }?)?;
        message(env, &state(stepper)?)
    })
}

/// `byte[] chainStep(long chain, long store, byte[][] products)`: the reduce step of the next
/// step, over every task's `RowProducts` for the input `chainState` gave (checked against it by
/// digest); proves and verifies the step against `store` (the stage's matrix), records it and
/// returns the new `ChainState`.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_zkmr_NativeBridge_chainStep<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
    store_handle: jlong,
    products: JObjectArray<'local, JByteArray<'local>>,
) -> JByteArray<'local> {
    run(&mut env, |env| {
        let stepper = open_chain(unsafe { chain(handle) }?)?;
        let open = unsafe { store(store_handle) }?;
        let label = stepper.label();
        let x = stepper
            .next_input()?
            .ok_or_else(|| Error::Usage(format!("{label}: the chain is over")))?;
        let pieces = messages(env, &products, "products", "RowProducts message")?;
        let reduced = open
            .reduce_products(&x, pieces)
            .map_err(|e| Error::Input(format!("{label}: {e}")))?;
        stepper.record(
            open,
            reduced.bundle,
            &reduced.verified.y,
            reduced.verified.job_root,
        )?;
        message(env, &state(stepper)?)
    })
}

/// `byte[] chainFinish(long chain)`: `ChainProved`, once the spec says the chain is over.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_zkmr_NativeBridge_chainFinish<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
) -> JByteArray<'local> {
    run(&mut env, |env| {
        let slot = unsafe { chain(handle) }?;
        // Checked before the chain leaves its slot, so an early call leaves it to go on.
        open_chain(slot)?.check_over()?;
        let proved = slot.take().expect("checked above").finish()?;
        message(env, &proved_message(proved))
    })
}

fn proved_message(proved: zkmr_core::chain::prove::Proved) -> zkmr_proto::ChainProved {
    let outcome = &proved.outcome;
    let unit = (outcome.scale_bits as f64).exp2();
    zkmr_proto::ChainProved {
        proof: proved.proof.encode_to_vec(),
        output: outcome.output.iter().map(|v| *v as f64 / unit).collect(),
        steps: outcome.steps as u32,
        job_roots: outcome.job_roots.iter().map(digest_to_hex).collect(),
        step_seconds: proved.step_seconds,
        converged: outcome.stages.iter().all(|s| s.converged != Some(false)),
    }
}

/// `void chainClose(long chain)`: frees the chain, finished or not.
#[unsafe(no_mangle)]
pub extern "system" fn Java_io_zkmr_NativeBridge_chainClose<'local>(
    mut env: EnvUnowned<'local>,
    _class: JClass<'local>,
    handle: jlong,
) {
    run(&mut env, |_: &mut Env<'_>| {
        if handle != 0 {
            // SAFETY: the handle came from `chainOpen` and `ZkChain` closes it once.
            drop(unsafe { Box::from_raw(handle as *mut Option<Stepper>) });
        }
        Ok(())
    })
}
