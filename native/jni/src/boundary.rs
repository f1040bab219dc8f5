//! The JNI boundary: every native method runs its body through [`run`], so a Rust error
//! becomes an `io.zkmr.ZkmrException` carrying the Rust message and a panic becomes one too,
//! rather than unwinding into the JVM (which would abort the executor).

use std::any::Any;

use jni::errors::ErrorPolicy;
use jni::strings::JNIString;
use jni::{jni_str, Env, EnvUnowned};

/// What a native method can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    #[error("{0}")]
    Zkmr(#[from] zkmr_core::Error),
    #[error("JNI: {0}")]
    Jni(#[from] jni::errors::Error),
}

pub type Result<T> = std::result::Result<T, Failure>;

/// Throws `io.zkmr.ZkmrException` for errors and panics and returns the default value, which
/// the JVM discards because an exception is pending.
#[derive(Debug, Default)]
pub struct ThrowZkmrException;

fn throw(env: &mut Env<'_>, message: String) -> jni::errors::Result<()> {
    if env.exception_check() {
        // A Java exception raised inside the call is the more precise report.
        return Ok(());
    }
    match env.throw_new(jni_str!("io/zkmr/ZkmrException"), JNIString::from(message)) {
        Err(jni::errors::Error::JavaException) | Ok(()) => Ok(()),
        Err(e) => Err(e),
    }
}

fn panic_message(payload: &(dyn Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".into())
}

impl<T: Default> ErrorPolicy<T, Failure> for ThrowZkmrException {
    type Captures<'unowned_env_local: 'native_method, 'native_method> = ();

    fn on_error<'unowned_env_local: 'native_method, 'native_method>(
        env: &mut Env<'unowned_env_local>,
        _cap: &mut Self::Captures<'unowned_env_local, 'native_method>,
        err: Failure,
    ) -> jni::errors::Result<T> {
        throw(env, err.to_string())?;
        Ok(T::default())
    }

    fn on_panic<'unowned_env_local: 'native_method, 'native_method>(
        env: &mut Env<'unowned_env_local>,
        _cap: &mut Self::Captures<'unowned_env_local, 'native_method>,
        payload: Box<dyn Any + Send + 'static>,
    ) -> jni::errors::Result<T> {
        let message = format!("zkmr native library panicked: {}", panic_message(&*payload));
        // A payload whose drop panics would unwind into the JVM: leak it instead.
        std::mem::forget(payload);
        throw(env, message)?;
        Ok(T::default())
    }
}

/// Runs a native method's body, turning its errors and panics into Java exceptions.
pub fn run<'local, T: Default>(
    env: &mut EnvUnowned<'local>,
    body: impl FnOnce(&mut Env<'local>) -> Result<T>,
) -> T {
    env.with_env(body).resolve::<ThrowZkmrException>()
}
