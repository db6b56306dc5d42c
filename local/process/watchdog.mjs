// Runs a server as this process's child and makes it die with the process that started us:
//   node watchdog.mjs <stop-signal> <command> [args...]
// The server shares our stdio (its readiness lines reach the parent unchanged). Our stdin
// is a pipe from the parent; when the parent dies, however it dies (kill -9 included), the kernel
// closes that pipe and we stop the server with <stop-signal>: an event, no polling. SIGINT,
// SIGTERM and SIGHUP sent to us are passed on. We exit with the server's exit code.
// Plain JavaScript with only node's standard library: it starts without tsx.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';

const [stopSignal, command, ...args] = process.argv.slice(2);
if (stopSignal === undefined || command === undefined) {
  process.stderr.write('usage: node watchdog.mjs <stop-signal> <command> [args...]\n');
  process.exit(2);
}
// Our handlers are in place before the server starts: the server may announce it is ready, and
// the parent stop it, before this script's next line runs; a signal that found node's default
// handler would kill us and orphan the server.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => stop(signal));
process.stdin.on('data', () => {});
process.stdin.on('end', () => stop(stopSignal));
process.stdin.on('error', () => stop(stopSignal));
// The server shares our stdin too: one that watches it for its parent's death keeps working.
const child = spawn(command, args, { stdio: 'inherit' });
function stop(signal) {
  if (child.exitCode === null && child.signalCode === null) child.kill(signal);
}
child.on('error', (error) => {
  process.stderr.write(`${command}: ${error.message}\n`);
  process.exit(127);
});
child.on('exit', (code, signal) => {
  process.exit(code ?? 128 + (constants.signals[signal] ?? 0));
});
