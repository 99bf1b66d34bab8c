// Test stand-in for Electron's utility process API on the child side: `process.parentPort` whose
// 'message' events carry `{ data }` and whose postMessage goes to the parent. Like Electron's port
// (and worker_threads'), messages wait until a 'message' listener is attached. Loaded with
// `node --import` into a child_process.fork()ed engine worker (EngineWorker.test.ts).
import { EventEmitter } from 'node:events';

const port = new EventEmitter();
const queued = [];
process.on('message', (data) => (port.listenerCount('message') ? port.emit('message', { data }) : queued.push(data)));
port.on('newListener', (event) => {
  if (event === 'message') setImmediate(() => queued.splice(0).forEach((data) => port.emit('message', { data })));
});
port.postMessage = (message) => process.send(message);
Object.defineProperty(process, 'parentPort', { value: port });
