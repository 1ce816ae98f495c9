'use strict';
// The client core under its native host (tools/cli/parley_host_main.cc) as a child
// process: JSON commands in on stdin, app events out on stdout.
//
//   const a = await NativeHost.start({ appKey, host: '127.0.0.1:PORT', store });
//   const r = await a.call({ cmd: 'connect', token });   // resolves the "result" event
//   a.events('message')                                   // every event of a type, in order
//   await a.waitFor(() => a.events('message').length >= 3);
const { spawn } = require('child_process');
const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '..', '..', '..');
const BIN = process.env.PARLEY_HOST_BIN || path.join(ROOT, 'build', 'native-debug', 'tools', 'parley-host');

class NativeHost {
  static async start({ appKey, host, store, seed = 1 }) {
    if (!fs.existsSync(BIN)) throw new Error(`parley-host not built: ${BIN}`);
    const proc = spawn(BIN, ['--app-key', appKey, '--host', host, '--store', store, '--seed', String(seed)],
                       { stdio: ['pipe', 'pipe', 'pipe'] });
    return new NativeHost(proc);
  }

  constructor(proc) {
    this.proc = proc;
    this.log = [];
    this.nextId = 1;
    this.waiters = new Map();
    let buf = '';
    proc.stdout.on('data', (d) => {
      buf += d.toString();
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (!line) continue;
        const ev = JSON.parse(line);
        this.log.push(ev);
        if (ev.type === 'result' && this.waiters.has(ev.data.id)) {
          this.waiters.get(ev.data.id)(ev.data);
          this.waiters.delete(ev.data.id);
        }
      }
    });
    this.exited = new Promise((r) => proc.on('exit', r));
  }

  // Sends a command with a fresh id; resolves with its result event's data ({id, code, data}).
  call(cmd, timeoutMs = 20_000) {
    const id = this.nextId++;
    this.proc.stdin.write(JSON.stringify({ ...cmd, id }) + '\n');
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no result for ${JSON.stringify(cmd)}`)), timeoutMs);
      this.waiters.set(id, (r) => { clearTimeout(t); resolve(r); });
    });
  }

  events(type) { return this.log.filter((e) => e.type === type).map((e) => e.data); }

  async waitFor(pred, timeoutMs = 20_000, what = 'condition') {
    const end = Date.now() + timeoutMs;
    while (!pred()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  async close() {
    this.proc.stdin.end();
    await Promise.race([this.exited, new Promise((r) => setTimeout(r, 2000))]);
    this.proc.kill('SIGKILL');
  }
}

module.exports = { NativeHost };
