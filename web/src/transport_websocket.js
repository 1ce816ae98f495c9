// WebSocket transport adapter: {open(url, events) -> {send(bytes), close()}}. One binary
// WebSocket message is one protocol frame (PROTOCOL.md §2.2). The constructor is injected;
// the adapter reports open, bytes and closed (once; errors count as closed) and nothing
// after close() or after it reported closed. Events never fire during the caller's own call.

const isArrayBuffer = (d) => Object.prototype.toString.call(d) === '[object ArrayBuffer]';

export function webSocketTransport(WS) {
  return {
    open(url, events) {
      let ws = null;
      let done = false;
      const detach = () => {
        if (ws) ws.onopen = ws.onmessage = ws.onerror = ws.onclose = null;
      };
      const closed = () => {
        if (done) return;
        done = true;
        detach();
        events.closed();
      };
      try {
        ws = new WS(url);
        ws.binaryType = 'arraybuffer';
      } catch (e) {
        // Bad URL, blocked scheme, too many sockets: a failed attempt like any other.
        Promise.resolve().then(closed);
        return { send() { return false; }, close() { done = true; } };
      }
      ws.onopen = () => { if (!done) events.open(); };
      ws.onmessage = (ev) => {
        if (done) return;
        const d = ev.data;
        if (isArrayBuffer(d)) events.bytes(new Uint8Array(d));
        else if (ArrayBuffer.isView(d)) events.bytes(new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
        else if (d && typeof d.arrayBuffer === 'function') {
          // A Blob despite binaryType (very old engines): read it, then deliver.
          d.arrayBuffer().then((b) => { if (!done) events.bytes(new Uint8Array(b)); }, closed);
        } else {
          events.log('warn', 'text WebSocket message ignored (the protocol is binary)');
        }
      };
      ws.onerror = closed;
      ws.onclose = closed;
      return {
        send(bytes) {
          if (done) return false;
          try {
            ws.send(bytes);
            return true;
          } catch (e) {
            Promise.resolve().then(closed);
            return false;
          }
        },
        close() {
          if (done) return;
          done = true;
          detach();
          try { ws.close(); } catch (e) { /* closing a socket that never opened */ }
        },
      };
    },
  };
}
