// Navigation (PROTOCOL.md §1, §8) and the /ping host check (§2.1), done by the shim before
// the core is told to connect: which hosts to use, over ws:// or wss://.
import { API_VERSION, ErrorCode, NAVI_CACHE_DURATION, NAVI_REQ_TIMEOUT, PING_REQ_TIMEOUT } from './enums.js';
import { ParleyError } from './errors.js';
import { httpGet } from './http.js';

// "tok@navi1;navi2" -> { token: "tok@", navis: [navi2, navi1] } (token navis are tried
// before the init navi, the last one first; a navi without scheme gets https://).
export function parseToken(token) {
  const at = token.indexOf('@');
  if (at < 0) return { token, navis: [] };
  const navis = [];
  for (const part of token.slice(at + 1).split(';')) {
    const p = part.trim();
    if (!p) continue;
    navis.unshift(/^https?:\/\//.test(p) ? p : 'https://' + p);
  }
  return { token: token.slice(0, at + 1), navis };
}

// The navi URLs to try, in order: token navis, then the init one; only http(s), no
// trailing slash, no duplicates.
export function naviList(initNavi, tokenNavis) {
  const out = [];
  for (const n of [...tokenNavis, ...(initNavi ? [initNavi] : [])]) {
    if (typeof n !== 'string' || !/^https?:\/\//.test(n)) continue;
    const u = n.replace(/\/+$/, '');
    if (!out.includes(u)) out.push(u);
  }
  return out;
}

// Body of navi.js: `getServerEndpoint({...});` or plain JSON. Returns the object or null.
export function parseNaviBody(text) {
  if (typeof text !== 'string') return null;
  let s = text.trim();
  const m = /^[A-Za-z_$][\w$.]*\(([\s\S]*)\);?$/.exec(s);
  if (m) s = m[1];
  try {
    const info = JSON.parse(s);
    return info && typeof info === 'object' && !Array.isArray(info) ? info : null;
  } catch (e) {
    return null;
  }
}

export function hostsOf(info) {
  const hosts = [];
  const add = (h) => {
    const v = typeof h === 'string' ? h.trim() : '';
    if (v && !hosts.includes(v)) hosts.push(v);
  };
  add(info.server);
  if (typeof info.backupServer === 'string') info.backupServer.split(',').forEach(add);
  return hosts;
}

// requestNavi: the navi info for (appKey, token), from the cache (2 h) or the network.
// Resolves {info, hosts, secure, token}; rejects ParleyError 30007 (no navi answered),
// 30008 (answer without hosts) or 35006 (navi type 1: this package is not allowed).
export async function requestNavi({ XHR, appKey, token, navi, comet, cache, now = Date.now }) {
  const parsed = parseToken(token);
  const cached = cache && cache.get(parsed.token, now());
  let info = cached;
  let url = cached && cached.naviUrl;
  if (!info) {
    const urls = naviList(navi, parsed.navis);
    if (!urls.length) throw new ParleyError(ErrorCode.RC_NAVI_RESOURCE_ERROR, 'no navi URL (init option `navi`, http(s)://...)');
    for (const base of urls) {
      const q = `appId=${appKey}&token=${encodeURIComponent(parsed.token)}&callBack=getServerEndpoint&v=${API_VERSION}&r=${now()}`;
      const res = await httpGet(XHR, `${base}/${comet ? 'cometnavi.js' : 'navi.js'}?${q}`, NAVI_REQ_TIMEOUT);
      if (res.status !== 200) continue;
      const body = parseNaviBody(res.text);
      if (!body) continue;
      info = body;
      url = base;
      break;
    }
    if (!info) throw new ParleyError(ErrorCode.RC_NAVI_RESOURCE_ERROR, 'no navi server answered');
    info = Object.assign({}, info, { naviUrl: url, protocol: /^https/.test(url) ? 'https' : 'http' });
  }
  if (info.type === 1) throw new ParleyError(ErrorCode.PACKAGE_ENVIRONMENT_ERROR);
  const hosts = hostsOf(info);
  if (!hosts.length) throw new ParleyError(ErrorCode.RC_NODE_NOT_FOUND, 'navi named no server');
  if (!cached && cache) cache.put(parsed.token, info, now());
  return { info, hosts, secure: info.protocol === 'https', token: parsed.token };
}

// The navi cache: one storage key per appKey holding [{timestamp, token, naviInfo}].
export class NaviCache {
  constructor(storage, appKey) {
    this.storage = storage;
    this.key = `parley-web/${appKey}/navi`;
  }
  _read() {
    try {
      const list = JSON.parse(this.storage.get(this.key) || '[]');
      return Array.isArray(list) ? list : [];
    } catch (e) {
      return [];
    }
  }
  get(token, now) {
    const hit = this._read().find((e) => e && e.token === token && now - e.timestamp < NAVI_CACHE_DURATION);
    return hit ? hit.naviInfo : null;
  }
  put(token, naviInfo, now) {
    const list = this._read().filter((e) => e && e.token !== token && now - e.timestamp < NAVI_CACHE_DURATION);
    list.push({ timestamp: now, token, naviInfo });
    this.storage.set(this.key, JSON.stringify(list.slice(-8)));
  }
  clear(token) {
    this.storage.set(this.key, JSON.stringify(this._read().filter((e) => e && e.token !== token)));
  }
}

// /ping every host in parallel; resolves the hosts that answered 200, fastest first.
export async function pingHosts(XHR, hosts, secure, now = Date.now, timeoutMs = PING_REQ_TIMEOUT) {
  const scheme = secure ? 'https' : 'http';
  const results = await Promise.all(hosts.map(async (h) => {
    const t0 = now();
    const res = await httpGet(XHR, `${scheme}://${h}/ping?r=${1000 + Math.floor(Math.random() * 8999)}`, timeoutMs);
    return { host: h, ok: res.status === 200, ms: now() - t0 };
  }));
  return results.filter((r) => r.ok).sort((a, b) => a.ms - b.ms).map((r) => r.host);
}
