//! HTTP requests through gloo-net, with a time limit.

use super::timers::Timeout;
use crate::protocol::{HttpMethod, HttpRequest};
use std::{
    future::Future,
    pin::Pin,
    task::{Context, Poll},
};

/// An HTTP answer, whatever its status.
pub struct HttpAnswer {
    pub status: u16,
    pub ok: bool,
    /// The `Retry-After` header in seconds, when it is a number.
    pub retry_after_s: Option<u32>,
    pub body: String,
}

/// No answer came: offline, refused by CORS, aborted at the time limit, or a request
/// the browser would not even build. The text is for the console.
pub struct NoAnswer(pub String);

type Pending = Pin<Box<dyn Future<Output = Result<HttpAnswer, NoAnswer>>>>;

/// Sends `request` now and returns the wait for its answer.
pub fn send(request: HttpRequest) -> Pending {
    let mut answer: Pending = Box::pin(exchange(request));
    // One poll here makes the browser call fetch() before this returns, so the request
    // travels while the widget is still being drawn, not a task later.
    let mut cx = Context::from_waker(futures::task::noop_waker_ref());
    match answer.as_mut().poll(&mut cx) {
        Poll::Ready(done) => Box::pin(std::future::ready(done)),
        Poll::Pending => answer,
    }
}

async fn exchange(request: HttpRequest) -> Result<HttpAnswer, NoAnswer> {
    let failed = |why: &str| NoAnswer(why.to_string());
    let headers = web_sys::Headers::new().map_err(|_| failed("headers"))?;
    for (name, value) in &request.headers {
        // A value the browser refuses (say, a token with a line break) is a plain failure.
        headers
            .set(name, value)
            .map_err(|_| failed("invalid header value"))?;
    }
    let abort = web_sys::AbortController::new().map_err(|_| failed("abort"))?;
    let builder = match request.method {
        HttpMethod::Get => gloo_net::http::Request::get(&request.url),
        HttpMethod::Post => gloo_net::http::Request::post(&request.url),
        HttpMethod::Delete => gloo_net::http::Request::delete(&request.url),
    }
    .headers(gloo_net::http::Headers::from_raw(headers))
    .abort_signal(Some(&abort.signal()));
    let sent = match request.method {
        HttpMethod::Get | HttpMethod::Delete => builder.build(),
        HttpMethod::Post => builder.body(request.body),
    }
    .map_err(|err| NoAnswer(err.to_string()))?
    .send();
    // Dropped with this future, so the limit ends when the answer is complete.
    let _limit = Timeout::new(request.timeout_ms, move || abort.abort());
    let response = sent.await.map_err(|err| NoAnswer(err.to_string()))?;
    let retry_after_s = response
        .headers()
        .get("Retry-After")
        .and_then(|v| v.trim().parse().ok());
    let body = response.text().await.unwrap_or_default();
    Ok(HttpAnswer {
        status: response.status(),
        ok: response.ok(),
        retry_after_s,
        body,
    })
}
