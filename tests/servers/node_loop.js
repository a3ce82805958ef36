// node_loop.js - a Node HTTP server that does its CPU work ON the event
// loop: while one /work request computes, nothing else (not even /healthz)
// is served, so it uses one core at most. A test fixture for the harness.
//
//     /usr/bin/node node_loop.js PORT
//
// Binds 127.0.0.1:PORT. GET /healthz: 200 {"status":"ok"} at once.
// GET /work: ~3 ms of integer math, then 200 {"x": ...}. Else 404.
'use strict';
const http = require('http');

// Fixed rounds (deterministic), not calibrated: 1.5M rounds measured at
// ~3 ms here (node v20, 2 CPUs), 1M rounds ~2 ms.
const ROUNDS = 1500000;

// Pure integer arithmetic; the result is returned so it is not optimised away.
function spin(n) {
  let x = 0;
  for (let i = 0; i < n; i++) x = (Math.imul(x, 31) + i) & 0xffff;
  return x;
}

function answer(res, status, obj) {
  const body = JSON.stringify(obj);
  res.writeHead(status, {'Content-Type': 'application/json',
                         'Content-Length': Buffer.byteLength(body)});
  res.end(body);
}

const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/healthz') answer(res, 200, {status: 'ok'});
  else if (req.method === 'GET' && req.url === '/work') answer(res, 200, {x: spin(ROUNDS)});
  else answer(res, 404, {error: 'not found'});
});
server.keepAliveTimeout = 60000; // the load generator reuses connections

const port = Number(process.argv[2]);
server.listen(port, '127.0.0.1', () =>
  console.log(`node_loop: listening on http://127.0.0.1:${port} (${ROUNDS} rounds a request)`));

// SIGTERM: stop accepting, drop idle keep-alive sockets, exit 0.
process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
