// The JS side of the WASM boundary (bindings/parley_abi.cc): instantiates parley.wasm and
// wraps its few C exports as the core object the engine holds. No Emscripten glue: the
// wasm is a standalone module that imports only a handful of WASI/env functions, given
// here (stdio goes to the logger; an unknown import fails loudly when called).
//
// Calls: JS writes the input into the wasm's input buffer (parley_in), makes one call,
// then copies the results out of the output slots before the next call.

// Only the debug flavour's wasm (-O0, C asserts) writes to stdio or reads the environment;
// the release one imports none of it, so its bundle, built with PARLEY_DEBUG false
// (web/build.mjs, which checks that wasm's imports against RELEASE_IMPORTS), leaves those
// imports out. Unbundled (tests, tools) PARLEY_DEBUG is not defined and they are all here.
/* global PARLEY_DEBUG */
const WITH_STDIO = typeof PARLEY_DEBUG === 'undefined' || PARLEY_DEBUG;
export const RELEASE_IMPORTS = ['proc_exit'];

function imports(module, buffer, log) {
  // The memory grows without telling (bindings/wasm_alloc.cc): views are made afresh on
  // every access.
  const known = {
    proc_exit(code) { throw new Error('parley.wasm exited with ' + code); },
  };
  if (WITH_STDIO) {
    const view = () => new DataView(buffer());
    Object.assign(known, {
      fd_write(fd, iov, count, written) {
        const dv = view();
        let n = 0;
        let text = '';
        for (let i = 0; i < count; i++) {
          const ptr = dv.getUint32(iov + 8 * i, true);
          const len = dv.getUint32(iov + 8 * i + 4, true);
          text += new TextDecoder().decode(new Uint8Array(buffer(), ptr, len));
          n += len;
        }
        dv.setUint32(written, n, true);
        if (text.trim()) log(text.trimEnd());
        return 0;
      },
      fd_close: () => 0,
      fd_seek: () => 70,  // ESPIPE: stdio is not seekable
      environ_sizes_get(count, size) {
        view().setUint32(count, 0, true);
        view().setUint32(size, 0, true);
        return 0;
      },
      environ_get: () => 0,
    });
  }
  const out = {};
  for (const imp of WebAssembly.Module.imports(module)) {
    out[imp.module] = out[imp.module] || {};
    out[imp.module][imp.name] = known[imp.name] ||
      (() => { throw new Error('parley.wasm called a missing import: ' + imp.module + '.' + imp.name); });
  }
  return out;
}

// The wasm's input buffer and output slots, shared by the client and the codec.
function memoryIO(ex) {
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  // Writes a string (as UTF-8) or bytes into the input buffer; answers the length.
  const put = (data, at = 0) => {
    if (typeof data === 'string') {
      const ptr = ex.parley_in(at + data.length * 3) >>> 0;
      return encoder.encodeInto(data, new Uint8Array(ex.memory.buffer, ptr + at, data.length * 3)).written;
    }
    const u8 = data instanceof Uint8Array ? data
      : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);
    const ptr = ex.parley_in(at + u8.length) >>> 0;
    new Uint8Array(ex.memory.buffer, ptr + at, u8.length).set(u8);
    return u8.length;
  };
  const bytes = (slot) => new Uint8Array(ex.memory.buffer, ex.parley_out_ptr(slot) >>> 0, ex.parley_out_len(slot)).slice();
  const text = (slot) => decoder.decode(new Uint8Array(ex.memory.buffer, ex.parley_out_ptr(slot) >>> 0, ex.parley_out_len(slot)));
  return { put, bytes, text };
}

// The core's client class over an instantiated module's exports.
function clientClass(ex, { put, bytes, text }) {
  // Every input answers {actions: "<JSON array>", bytes: [Uint8Array...]}; a "send" action
  // names its payload by index into `bytes`. The op numbers are parley_abi.cc's.
  const call = (h, op, now, conn, data) => {
    const n = ex.parley_client_call(h, op, now, conn, put(data));
    const out = { actions: text(0), bytes: [] };
    for (let i = 1; i < n; i++) out.bytes.push(bytes(i));
    return out;
  };
  return class Client {
    constructor(config, seed) { this.h = ex.parley_client_new(put(String(config)), seed); }
    command(now, json) { return call(this.h, 0, now, 0, json); }
    restore(json) { return call(this.h, 1, 0, 0, json); }
    onOpen(now, conn) { return call(this.h, 2, now, conn, ''); }
    onBytes(now, conn, u8) { return call(this.h, 3, now, conn, u8); }
    onComet(now, conn, json) { return call(this.h, 4, now, conn, json); }
    onClosed(now, conn) { return call(this.h, 5, now, conn, ''); }
    onTimer(now) { return call(this.h, 6, now, 0, ''); }
    nextDeadline() { return ex.parley_client_deadline(this.h); }
    delete() {
      if (this.h) ex.parley_client_free(this.h);
      this.h = 0;
    }
  };
}

async function instantiate(module, log) {
  let instance = null;
  instance = await WebAssembly.instantiate(module, imports(module, () => instance.exports.memory.buffer, log));
  instance.exports._initialize();  // static constructors
  return instance.exports;
}

// The SDK's core, {_Client}. module: a compiled WebAssembly.Module; log(text) receives what
// the wasm writes to stdio.
export async function instantiateClient(module, log = () => {}) {
  const ex = await instantiate(module, log);
  return { _Client: clientClass(ex, memoryIO(ex)) };
}

// The same plus the frame codec, {_Client, _decodeFrame, _encodeFrame}, when the module is
// the tools build, which exports it (tests and tools; the shipped bundle leaves this out).
export async function instantiateCore(module, log = () => {}) {
  const ex = await instantiate(module, log);
  const io = memoryIO(ex);
  // _memoryBytes: the wasm memory's size, for tests of the allocator (bindings/wasm_alloc.cc).
  const core = { _Client: clientClass(ex, io), _memoryBytes: () => ex.memory.buffer.byteLength };
  if (ex.parley_decode_frame) {
    const { put, bytes, text } = io;
    core._decodeFrame = (from, frame, ackTopic = '') => {
      const len = put(frame);
      ex.parley_decode_frame(from === 'server' ? 1 : from === 'client' ? 0 : 2, len, put(ackTopic, len));
      return text(0);
    };
    core._encodeFrame = (from, json) =>
      (ex.parley_encode_frame(from === 'server' ? 1 : from === 'client' ? 0 : 2, put(json)) ? bytes(0) : text(0));
  }
  return core;
}
