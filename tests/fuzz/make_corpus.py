#!/usr/bin/env python3
"""Seeds the fuzz corpora: the golden frames' bytes for the binary decoder, and the comet
JSON shapes of PROTOCOL.md §5 for the comet decoder. usage: make_corpus.py OUT_DIR"""
import json
import os
import re
import sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
out = sys.argv[1]
frames_dir, comet_dir = os.path.join(out, "frame"), os.path.join(out, "comet")
os.makedirs(frames_dir, exist_ok=True)
os.makedirs(comet_dir, exist_ok=True)

hexes, cur = [], None
with open(os.path.join(root, "fixtures", "golden_frames.txt"), encoding="utf-8") as f:
    for line in f:
        line = line.rstrip("\n")
        if line.startswith("== "):
            cur = []
            hexes.append(cur)
        elif cur is not None and line.strip() and not re.match(r"^\s*(#|from:|json:|ackTopic:)", line):
            cur.append(re.sub(r"\s+", "", line.split("|")[0]))
for i, h in enumerate(hexes):
    with open(os.path.join(frames_dir, f"golden_{i:03d}"), "wb") as f:
        f.write(bytes.fromhex("".join(h)))

comet = [
    '{"status":0,"userId":"userA","sessionid":"s1","timestamp":1700000000123}',
    '[{"headerCode":64,"messageId":5,"status":0,"timestamp":1700000000123,"messageUId":"BFUJ-8GHM-G8O4-3T8A"}]',
    '[{"headerCode":98,"messageId":3,"status":0,"data":"{\\"syncTime\\":0,\\"finished\\":true}"}]',
    '[{"headerCode":50,"messageId":1,"topic":"s_ntf","targetId":"userB","data":"{\\"type\\":1,\\"time\\":1700000000123}"}]',
    '[{"headerCode":224,"status":1}]',
    '{"sessionId":3,"configFlag":0,"classname":"RC:TxtMsg","content":"{\\"content\\":\\"hi\\"}"}',
    '{"ispolling":false,"isPullSend":true,"sendBoxSyncTime":0,"syncTime":0}',
    '{"version":1,"state":[{"type":1,"channelId":"u","time":1,"stateItem":[{"sessionStateType":2,"value":"1"}]}]}',
]
# What storage may hold for the session target (frame corpus): every kind of key the core
# writes, and the older single outbox keys.
entry = ('{"localId":%d,"clientUniqueId":9,"type":1,"targetId":"u","objectName":"RC:TxtMsg",'
         '"content":"{\\"content\\":\\"x\\"}","createdMs":1000,"state":10}')
stored = {
    "parley/k/me/outbox/000000000001.5": entry % 5,
    "parley/k/me/outbox": "[" + entry % 6 + "]",
    "parley/k/_pending/outbox/000000000002.7": entry % 7,
    "parley/k/_pending/outbox": "[" + entry % 8 + "]",
    "parley/k/me/seen/0": '["a","b"]',
    "parley/k/me/sync": '{"inbox":1700000000000,"outbox":0}',
    "parley/k/me/marks": '[{"type":1,"targetId":"u","time":5}]',
    "parley/k/me/conv/1/u": '{"conversationType":1,"targetId":"u","unreadMessageCount":2}',
}
with open(os.path.join(frames_dir, "restore_000"), "w", encoding="utf-8") as f:
    f.write(json.dumps(stored))

for i, c in enumerate(comet):
    with open(os.path.join(comet_dir, f"seed_{i:03d}"), "w", encoding="utf-8") as f:
        f.write(c)
print(f"corpus: {len(hexes)} frames, {len(comet)} comet seeds in {out}")
