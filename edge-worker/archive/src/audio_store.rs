//! The R2 bucket of recording chunks, used through the runtime's own `R2Bucket` binding: audio bytes
//! stay JavaScript values from the request body to the bucket and from the bucket to the response,
//! never copied into wasm memory. (The `worker` crate's R2 builders and Rust-stream responses cost this
//! size-budgeted bundle about 20 KiB gzipped for options Earshot never sets.)

use worker::js_sys::{Array, Function, Object, Promise, Reflect, Uint8Array};
use worker::wasm_bindgen::{JsCast, JsValue};
use worker::wasm_bindgen_futures::{spawn_local, JsFuture};
use worker::worker_sys::{FixedLengthStream, R2Bucket};
use worker::{web_sys, Env, Request, Result};

/// A request's body as bytes that stay on the JavaScript side.
pub async fn body_of(req: &Request) -> Result<Uint8Array> {
    Ok(Uint8Array::new(&settle(req.inner().array_buffer()).await?))
}

pub struct AudioStore {
    bucket: R2Bucket,
}

fn get(target: &JsValue, name: &str) -> Result<JsValue> {
    Ok(Reflect::get(target, &JsValue::from_str(name))?)
}

async fn settle(promise: std::result::Result<Promise, JsValue>) -> Result<JsValue> {
    Ok(JsFuture::from(promise?).await?)
}

impl AudioStore {
    /// The `RECORDINGS` bucket binding.
    pub fn open(env: &Env) -> Result<AudioStore> {
        let binding = get(env.as_ref(), "RECORDINGS")?;
        if binding.is_undefined() {
            return Err(worker::Error::RustError("the RECORDINGS bucket is not bound".into()));
        }
        Ok(AudioStore { bucket: binding.unchecked_into() })
    }

    pub async fn put(&self, key: &str, bytes: &Uint8Array) -> Result<()> {
        settle(self.bucket.put(key.to_owned(), bytes.into(), JsValue::UNDEFINED)).await?;
        Ok(())
    }

    pub async fn delete(&self, key: &str) -> Result<()> {
        settle(self.bucket.delete(key.to_owned())).await?;
        Ok(())
    }

    /// Deletes every object whose key starts with `prefix`; returns how many there were.
    pub async fn delete_prefix(&self, prefix: &str) -> Result<usize> {
        let mut deleted = 0;
        loop {
            let options = Object::new();
            Reflect::set(&options, &"prefix".into(), &prefix.into())?;
            let listed = settle(self.bucket.list(options.into())).await?;
            let objects: Array = get(&listed, "objects")?.unchecked_into();
            let keys: Vec<JsValue> = objects.iter().map(|o| get(&o, "key")).collect::<Result<_>>()?;
            if keys.is_empty() {
                return Ok(deleted);
            }
            deleted += keys.len();
            settle(self.bucket.delete_multiple(keys)).await?;
        }
    }

    /// The objects under `keys`, in order, as one stream of `total` bytes: a response body that starts
    /// flowing at once. Each object is piped into the stream after the previous one ended; a missing
    /// object aborts the stream (the client sees a truncated body, never a wrong one).
    pub fn concatenate(&self, keys: Vec<String>, total: u64) -> Result<web_sys::ReadableStream> {
        let pipe = FixedLengthStream::new_big_int(total.into())?;
        let readable = pipe.readable();
        let writable = pipe.writable();
        let bucket = self.bucket.clone();
        spawn_local(async move {
            let keep_open = Object::new();
            let outcome = async {
                Reflect::set(&keep_open, &"preventClose".into(), &true.into())?;
                for key in keys {
                    let object = settle(bucket.get(key.clone(), JsValue::UNDEFINED)).await?;
                    if object.is_null() {
                        return Err(worker::Error::RustError(format!("{key} is missing")));
                    }
                    let body = get(&object, "body")?;
                    let pipe_to: Function = get(&body, "pipeTo")?.unchecked_into();
                    let piped = pipe_to.call2(&body, &writable, &keep_open)?;
                    JsFuture::from(Promise::from(piped)).await?;
                }
                JsFuture::from(writable.close()).await?;
                Ok::<_, worker::Error>(())
            };
            if let Err(err) = outcome.await {
                worker::console_error!("recording stream failed: {err}");
                let _ = writable.abort_with_reason(&JsValue::from_str("recording chunk missing"));
            }
        });
        Ok(readable)
    }
}
