// The smallest useful Parley app in a bundler: import the ESM build, connect with a dev
// token, send and receive text messages in one private conversation. Uses the Promise
// forms of the v2 API (no callback object -> a Promise).
import { ConnectionStatus, ConversationType, RongIMClient, TextMessage } from 'parley-im';
import './style.css';

const params = new URLSearchParams(location.search);
const navi = (params.get('navi') || location.origin).replace(/\/+$/, '');
const appKey = params.get('appKey') || 'parley-demo';
const $ = (id) => document.getElementById(id);
const received = [];
let peer = '';

function line(text, cls) {
  const li = document.createElement('li');
  li.className = cls;
  li.textContent = text;
  $('log').appendChild(li);
  li.scrollIntoView({ block: 'end' });
}

RongIMClient.init(appKey, null, { navi });
RongIMClient.setConnectionStatusListener({
  onChanged(status) { $('status').textContent = ConnectionStatus[status] || String(status); $('status').dataset.status = status; },
});
RongIMClient.setOnReceiveMessageListener({
  onReceived(message) {
    if (message.messageType !== 'TextMessage') return;
    received.push({ from: message.senderUserId, text: message.content.content });
    line(message.senderUserId + ': ' + message.content.content, 'in');
  },
});

async function connect(user) {
  const res = await fetch(`${navi}/demo/token?userId=${encodeURIComponent(user)}&appKey=${encodeURIComponent(appKey)}`);
  const { token } = await res.json();
  const userId = await RongIMClient.connect(token);
  $('composer').hidden = false;
  line('connected as ' + userId, 'sys');
  return userId;
}

async function send(text) {
  const message = await RongIMClient.getInstance().sendMessage(ConversationType.PRIVATE, peer, new TextMessage({ content: text }));
  line('me: ' + text, 'out');
  return message.messageUId;
}

$('signin').addEventListener('submit', (e) => {
  e.preventDefault();
  peer = $('peer').value.trim();
  connect($('user').value.trim()).catch((err) => line('connect failed: ' + (err.code || err.message), 'err'));
});
$('composer').addEventListener('submit', (e) => {
  e.preventDefault();
  const text = $('text').value.trim();
  if (!text) return;
  $('text').value = '';
  send(text).catch((err) => line('send failed: ' + (err.code || err.message), 'err'));
});

// For the end-to-end test (and the console): ?user=a&peer=b connects at once.
window.parleySpa = { received, send, connect: (u, p) => { peer = p; return connect(u); } };
if (params.get('user') && params.get('peer')) {
  $('user').value = params.get('user');
  $('peer').value = params.get('peer');
  peer = params.get('peer');
  window.parleySpa.ready = connect(params.get('user'));
}
