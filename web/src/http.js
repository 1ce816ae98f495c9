// One XMLHttpRequest with a timeout, as a small cancellable object: navi, /ping and the comet
// transport all go through here. The constructor is injected (tests, node, exotic WebViews).
// `done({status, text})` is called exactly once: status 0 means a network error, a timeout
// or an abort; never synchronously from send().

export function httpRequest(XHR, { method = 'GET', url, body, timeoutMs = 0, headers }, done) {
  let finished = false;
  let timer = null;
  let xhr = null;
  const finish = (status, text) => {
    if (finished) return;
    finished = true;
    if (timer !== null) clearTimeout(timer);
    if (xhr) xhr.onreadystatechange = xhr.onerror = xhr.ontimeout = xhr.onabort = null;
    done({ status, text });
  };
  try {
    xhr = new XHR();
    xhr.open(method, url, true);
    if (headers) for (const [k, v] of Object.entries(headers)) xhr.setRequestHeader(k, v);
    xhr.onreadystatechange = () => {
      if (xhr.readyState !== 4) return;
      let text = '';
      try { text = typeof xhr.responseText === 'string' ? xhr.responseText : ''; } catch (e) { text = ''; }
      finish(xhr.status | 0, text);
    };
    xhr.onerror = () => finish(0, '');
    xhr.ontimeout = () => finish(0, '');
    xhr.onabort = () => finish(0, '');
    if (timeoutMs > 0) timer = setTimeout(() => { cancel(); finish(0, ''); }, timeoutMs);
    xhr.send(body === undefined ? null : body);
  } catch (e) {
    // A constructor or open() that throws (bad URL, mixed content): report it later, as
    // a network error, so callers never see a callback during their own call.
    Promise.resolve().then(() => finish(0, ''));
  }
  function cancel() {
    if (finished || !xhr) return;
    try { xhr.abort(); } catch (e) { /* already done */ }
  }
  return {
    abort() {
      if (finished) return;
      cancel();
      finish(0, '');
    },
  };
}

// Promise form of httpRequest.
export function httpGet(XHR, url, timeoutMs) {
  return new Promise((resolve) => httpRequest(XHR, { url, timeoutMs }, resolve));
}
