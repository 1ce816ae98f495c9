// XHR long-polling transport adapter, the comet protocol of PROTOCOL.md §5:
//   connect   GET  {http(s)://host}/websocket?appId&token&sdkVer&pid&apiVer   (5 s)
//   poll      GET  /pullmsg.js?sessionid&timestrap&pid, re-issued after every answer
//   send      POST /websocket?messageid&header&sessionid[&topic&targetid]&pid, body = JSON text
// Every response body (the connect answer, poll and POST answers) goes to the core as is;
// the adapter only keeps the session id (from the connect answer, or any frame object
// that carries "sessionid") and reports `closed` once when a request fails. The
// XMLHttpRequest constructor is injected.
import { httpRequest } from './http.js';

const OK = (status) => status === 200 || status === 202;

// Updates the session id from a JSON body; returns false when the body is not JSON.
function absorbSessionId(text, set) {
  let j;
  try {
    j = JSON.parse(text);
  } catch (e) {
    return false;
  }
  for (const o of Array.isArray(j) ? j : [j]) {
    if (o && typeof o === 'object' && typeof o.sessionid === 'string' && o.sessionid) set(o.sessionid);
  }
  return true;
}

export function cometTransport(XHR, { connectTimeoutMs = 5000, pollTimeoutMs = 60000, postTimeoutMs = 30000, now = Date.now } = {}) {
  return {
    open(url, events) {
      const m = /^(https?:\/\/[^/?#]+)\/websocket\?/.exec(url);
      const pidMatch = /[?&]pid=([^&#]*)/.exec(url);
      const base = m ? m[1] : '';
      const pid = pidMatch ? pidMatch[1] : '';
      let sessionId = '';
      let done = false;
      const inflight = new Set();
      const closed = () => {
        if (done) return;
        done = true;
        for (const r of inflight) r.abort();
        inflight.clear();
        events.closed();
      };
      const request = (opts, cb) => {
        const r = httpRequest(XHR, opts, (res) => {
          inflight.delete(r);
          if (!done) cb(res);
        });
        if (!done) inflight.add(r);
      };
      const poll = () => {
        request({
          url: `${base}/pullmsg.js?sessionid=${encodeURIComponent(sessionId)}&timestrap=${now()}&pid=${pid}`,
          timeoutMs: pollTimeoutMs,
        }, (res) => {
          // An empty or non-JSON answer, another status, or our timeout: the link is gone.
          if (!OK(res.status) || !absorbSessionId(res.text, (s) => { sessionId = s; })) return closed();
          events.comet(res.text);
          if (!done) poll();
        });
      };
      if (!base) {
        Promise.resolve().then(closed);
      } else {
        request({ url, timeoutMs: connectTimeoutMs }, (res) => {
          if (!OK(res.status)) return closed();
          let accepted = false;
          try {
            const j = JSON.parse(res.text);
            if (j && j.status === 0 && j.sessionid) {
              sessionId = String(j.sessionid);
              accepted = true;
            }
          } catch (e) { /* the core logs the bad answer */ }
          events.open();
          events.comet(res.text);
          if (done) return;        // the core closed this attempt (refused, or lost a race)
          if (!accepted) return closed();
          poll();
        });
      }
      return {
        send() { return false; },
        // One comet POST (a {do:"post"} action of the core).
        post(a) {
          if (done) return false;
          let q = `messageid=${a.messageid}&header=${a.header}&sessionid=${encodeURIComponent(sessionId)}`;
          if (a.topic !== undefined) q += `&topic=${encodeURIComponent(a.topic)}&targetid=${encodeURIComponent(a.targetid || '')}`;
          request({
            method: 'POST',
            url: `${base}/websocket?${q}&pid=${pid}`,
            body: a.body || '',
            headers: { 'Content-Type': 'text/plain;charset=UTF-8' },
            timeoutMs: postTimeoutMs,
          }, (res) => {
            if (!OK(res.status)) return closed();
            if (res.text && absorbSessionId(res.text, (s) => { sessionId = s; })) events.comet(res.text);
          });
          return true;
        },
        close() {
          if (done) return;
          done = true;
          for (const r of inflight) r.abort();
          inflight.clear();
        },
      };
    },
  };
}
