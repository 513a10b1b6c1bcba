#!/usr/bin/env python3
"""The systemd-nspawn peer for npm run bench: boot to READY=1 and stop, as root, on the same image.

Usage: nspawn-peer.py ROOTFS RUNS OUT.json   (bench/run.sh runs it as root where systemd-nspawn exists)
"""
import json, os, signal, socket, statistics, subprocess, sys, tempfile, time

root, runs, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
boots, stops = [], []
for _ in range(runs):
    sock_path = os.path.join(tempfile.mkdtemp(prefix='burrow-nspawn-'), 'notify')
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(sock_path)
    sock.settimeout(60)
    t0 = time.monotonic()
    # --notify-ready: nspawn reports READY=1 on its own NOTIFY_SOCKET once the container's systemd has.
    p = subprocess.Popen(['systemd-nspawn', '-q', '-D', root, '-b', '--notify-ready=yes', '--register=no', '--keep-unit'],
                         env={**os.environ, 'NOTIFY_SOCKET': sock_path}, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while 'READY=1' not in sock.recv(4096).decode().split('\n'):
        pass
    boots.append((time.monotonic() - t0) * 1000)
    t1 = time.monotonic()
    p.send_signal(signal.SIGTERM)  # nspawn asks the container's systemd to halt
    p.wait(timeout=60)
    stops.append((time.monotonic() - t1) * 1000)
    sock.close()
with open(out, 'w') as f:
    json.dump({'boot': statistics.median(boots), 'stop': statistics.median(stops), 'bootRuns': boots}, f)
print(f'systemd-nspawn (root): boot {statistics.median(boots):.1f} ms, stop {statistics.median(stops):.1f} ms')
