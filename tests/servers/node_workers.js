// node_workers.js - the same server as node_loop.js, but /work's CPU work
// runs in a pool of 2 worker_threads (made once at start-up; jobs go by
// message), so the event loop stays free: /healthz answers at once under
// load and up to 2 cores compute. A test fixture for the harness.
//
//     /usr/bin/node node_workers.js PORT
//
// Binds 127.0.0.1:PORT. GET /healthz: 200 {"status":"ok"} on the main
// thread. GET /work: ~3 ms of integer math in a worker, then 200 {"x": ...}.
'use strict';
const http = require('http');
const {Worker, isMainThread, parentPort} = require('worker_threads');

const ROUNDS = 1500000; // same work as node_loop.js (~3 ms here)

function spin(n) {
  let x = 0;
  for (let i = 0; i < n; i++) x = (Math.imul(x, 31) + i) & 0xffff;
  return x;
}

if (!isMainThread) {
  // Worker: compute each job and reply with its id; only workers compute.
  parentPort.on('message', ({id, n}) => parentPort.postMessage({id, x: spin(n)}));
} else {
  const pending = new Map(); // job id -> callback awaiting the worker's reply
  let nextId = 0;
  const pool = [0, 1].map(() => {
    const w = new Worker(__filename);
    w.on('message', ({id, x}) => { pending.get(id)(x); pending.delete(id); });
    return w;
  });

  function answer(res, status, obj) {
    const body = JSON.stringify(obj);
    res.writeHead(status, {'Content-Type': 'application/json',
                           'Content-Length': Buffer.byteLength(body)});
    res.end(body);
  }

  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/healthz') return answer(res, 200, {status: 'ok'});
    if (req.method !== 'GET' || req.url !== '/work') return answer(res, 404, {error: 'not found'});
    const id = nextId++;
    pending.set(id, (x) => answer(res, 200, {x}));
    pool[id % pool.length].postMessage({id, n: ROUNDS}); // round-robin; each worker queues its own
  });
  server.keepAliveTimeout = 60000;

  const port = Number(process.argv[2]);
  server.listen(port, '127.0.0.1', () =>
    console.log(`node_workers: listening on http://127.0.0.1:${port} (${ROUNDS} rounds a request, 2 workers)`));

  // SIGTERM: stop the server and the workers, then exit 0.
  process.on('SIGTERM', () => {
    server.close(() => Promise.all(pool.map((w) => w.terminate())).then(() => process.exit(0)));
    server.closeAllConnections();
  });
}
