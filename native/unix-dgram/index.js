'use strict';
// AF_UNIX datagram sockets (Node's dgram has none): see src/unix_dgram.c for why this is a Node-API addon.
const path = require('node:path');
// Built by scripts/build-native.mjs (npm ci runs it): src/ holds the source, the addon lies beside this file.
const addonPath = path.join(__dirname, 'unix_dgram.node');
const addon = require(addonPath);

/** Binds a receiving socket at `socketPath` (a file; it must not exist yet) and calls onMessage per datagram. */
function bind(socketPath, onMessage) {
  const handle = addon.bind(socketPath, onMessage);
  let open = true;
  return {
    close() {
      if (open) addon.close(handle);
      open = false;
    },
  };
}

/** Sends one datagram, without blocking; '@name' is an abstract socket. Throws an Error with .code (errno name). */
function send(socketPath, data) {
  addon.send(socketPath, data);
}

module.exports = { bind, send, addonPath };
