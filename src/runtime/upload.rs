//! The upload of an attached file: a `PUT` by XMLHttpRequest, the one browser API that
//! reports how far an upload got (fetch does not). Stopped when dropped.

use wasm_bindgen::{closure::Closure, JsCast};
use web_sys::{File, ProgressEvent, XmlHttpRequest};

/// How an upload ended.
pub enum UploadEnd {
    /// The storage took the bytes; the server confirms on the socket.
    Stored,
    /// The network failed or the storage answered with an error status.
    Broken,
}

pub struct FileUpload {
    request: XmlHttpRequest,
    _on_progress: Closure<dyn FnMut(ProgressEvent)>,
    _on_end: Closure<dyn FnMut(web_sys::Event)>,
}

impl FileUpload {
    /// Sends `file` to `url` with every header named, and `Content-Type: mime`.
    pub fn start(
        url: &str,
        headers: &[(String, String)],
        mime: &str,
        file: &File,
        on_progress: impl Fn(u8) + 'static,
        on_end: impl Fn(UploadEnd) + 'static,
    ) -> Option<FileUpload> {
        let request = XmlHttpRequest::new().ok()?;
        request.open("PUT", url).ok()?;
        for (name, value) in headers {
            // A header the browser forbids setting would throw; the storage then
            // refuses the upload, and the visitor is told.
            let _ = request.set_request_header(name, value);
        }
        if !mime.is_empty() {
            let _ = request.set_request_header("Content-Type", mime);
        }
        let on_progress = Closure::<dyn FnMut(ProgressEvent)>::new(move |e: ProgressEvent| {
            if e.length_computable() && e.total() > 0.0 {
                on_progress((e.loaded() * 100.0 / e.total()) as u8);
            }
        });
        let finished = request.clone();
        let on_end = Closure::<dyn FnMut(web_sys::Event)>::new(move |e: web_sys::Event| {
            let status = finished.status().unwrap_or(0);
            let stored = e.type_() == "load" && (200..300).contains(&status);
            on_end(if stored {
                UploadEnd::Stored
            } else {
                UploadEnd::Broken
            });
        });
        let upload = request.upload().ok()?;
        upload.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
        request.set_onload(Some(on_end.as_ref().unchecked_ref()));
        request.set_onerror(Some(on_end.as_ref().unchecked_ref()));
        request.set_ontimeout(Some(on_end.as_ref().unchecked_ref()));
        request.send_with_opt_blob(Some(file)).ok()?;
        Some(FileUpload {
            request,
            _on_progress: on_progress,
            _on_end: on_end,
        })
    }
}

impl Drop for FileUpload {
    fn drop(&mut self) {
        // Nothing is reported for an upload stopped on purpose.
        self.request.set_onload(None);
        self.request.set_onerror(None);
        self.request.set_ontimeout(None);
        if let Ok(upload) = self.request.upload() {
            upload.set_onprogress(None);
        }
        let _ = self.request.abort();
    }
}
