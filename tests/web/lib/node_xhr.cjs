'use strict';
// A small XMLHttpRequest for node (what navi, /ping and the comet transport use: open,
// setRequestHeader, send, abort, readyState/status/responseText, onreadystatechange,
// onerror), over node's http module. No keep-alive: a socket kept from before a server
// restart would fail the next request.
const http = require('http');
const https = require('https');

class NodeXMLHttpRequest {
  constructor() {
    this.readyState = 0;
    this.status = 0;
    this.responseText = '';
    this.onreadystatechange = null;
    this.onerror = null;
    this._headers = {};
    this._req = null;
    this._done = false;
  }
  open(method, url) { this._method = method; this._url = url; this.readyState = 1; }
  setRequestHeader(k, v) { this._headers[k] = v; }
  _finish(status, text, error) {
    if (this._done) return;
    this._done = true;
    this.status = status;
    this.responseText = text;
    this.readyState = 4;
    if (this.onreadystatechange) this.onreadystatechange();
    if (error && this.onerror) this.onerror(error);
  }
  abort() {
    if (this._req) this._req.destroy();
    this._finish(0, '');
  }
  send(body) {
    let url;
    try {
      url = new URL(this._url);
    } catch (e) {
      setImmediate(() => this._finish(0, '', e));
      return;
    }
    const mod = url.protocol === 'https:' ? https : http;
    const req = mod.request(url, { method: this._method, headers: this._headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => this._finish(res.statusCode, Buffer.concat(chunks).toString('utf8')));
      res.on('error', (e) => this._finish(0, '', e));
    });
    this._req = req;
    req.on('error', (e) => this._finish(0, '', e));
    if (body !== undefined && body !== null) req.write(body);
    req.end();
  }
}

module.exports = { NodeXMLHttpRequest };
