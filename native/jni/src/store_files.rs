//! Key store files read by the JVM: the engines keep a store on any Hadoop `FileSystem`
//! (HDFS, object stores, a copy shipped with a Spark job), read it there and hand us the bytes.
//!
//! [`JvmFiles`] holds an `io.zkmr.StoreFiles` and calls its `byte[] read(String name)` when the
//! scheme first needs a file, from whichever thread needs it (attached for the call), so a map
//! task fetches the manifest and its own partition rather than the whole store. The bytes are
//! untrusted: `zkmr-core` checks each file against the manifest's digests.

use jni::objects::{JByteArray, JObject, JString, JValue};
use jni::refs::Global;
use jni::{jni_sig, jni_str, Env, JavaVM};
use zkmr_core::store::StoreFiles;

/// A store whose files an `io.zkmr.StoreFiles` object reads.
pub struct JvmFiles {
    vm: JavaVM,
    files: Global<JObject<'static>>,
    location: String,
}

impl std::fmt::Debug for JvmFiles {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JvmFiles")
            .field("location", &self.location)
            .finish_non_exhaustive()
    }
}

impl JvmFiles {
    /// Wraps `files`, whose `location()` names the store in messages.
    pub fn new(env: &mut Env<'_>, files: &JObject<'_>) -> jni::errors::Result<Self> {
        let location = env
            .call_method(
                files,
                jni_str!("location"),
                jni_sig!("()Ljava/lang/String;"),
                &[],
            )?
            .l()?;
        let location = JString::cast_local(env, location)?.try_to_string(env)?;
        Ok(Self {
            vm: env.get_java_vm()?,
            files: env.new_global_ref(files)?,
            location,
        })
    }

    fn call_read(&self, env: &mut Env<'_>, name: &str) -> jni::errors::Result<Vec<u8>> {
        let name = env.new_string(name)?;
        let bytes = env
            .call_method(
                self.files.as_obj(),
                jni_str!("read"),
                jni_sig!("(Ljava/lang/String;)[B"),
                &[JValue::Object(&name)],
            )?
            .l()?;
        if bytes.is_null() {
            return Err(jni::errors::Error::NullPtr("StoreFiles.read returned null"));
        }
        let bytes = JByteArray::cast_local(env, bytes)?;
        env.convert_byte_array(&bytes)
    }
}

impl StoreFiles for JvmFiles {
    fn location(&self) -> &str {
        &self.location
    }

    fn read(&self, name: &str) -> std::io::Result<Vec<u8>> {
        // Scoped: a thread we attach (a worker thread of the native library) is detached again,
        // so it never keeps the JVM from exiting.
        self.vm
            .attach_current_thread_for_scope(|env| self.call_read(env, name))
            .map_err(|e| match e {
                jni::errors::Error::CaughtJavaException { name, msg, .. }
                    if name.ends_with("FileNotFoundException") =>
                {
                    std::io::Error::new(std::io::ErrorKind::NotFound, msg)
                }
                jni::errors::Error::CaughtJavaException { name, msg, .. } => {
                    std::io::Error::other(format!("{name}: {msg}"))
                }
                other => std::io::Error::other(other.to_string()),
            })
    }
}
