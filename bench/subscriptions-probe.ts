/**
 * Preloaded into the server `npm run bench:subscriptions` measures
 * (`node --expose-gc --import tsx --import ./bench/subscriptions-probe.ts
 * gateway/main.ts`), so the hub runs unchanged and its memory is read from
 * inside: on `{ type: 'memory' }` over the IPC channel it collects garbage
 * (twice: weak references and finalizers need a second pass) and answers
 * with process.memoryUsage(), its CPU time and the event loop's delay since
 * the last `{ type: 'reset-delay' }` (which answers with the CPU time so far). `{ type: 'snapshot', path }` writes a
 * heap snapshot there (`--snapshots`: where the memory per subscriber goes).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { writeHeapSnapshot } from 'node:v8';

const delay = monitorEventLoopDelay({ resolution: 5 });
delay.enable();

process.on('message', (message: { type?: string }) => {
  if (message?.type === 'reset-delay') {
    delay.reset();
    const cpu = process.cpuUsage();
    process.send!({ type: 'reset-delay', cpuMs: (cpu.user + cpu.system) / 1000 });
  } else if (message?.type === 'snapshot') {
    const path = writeHeapSnapshot((message as { path?: string }).path);
    process.send!({ type: 'snapshot', path });
  } else if (message?.type === 'memory') {
    const cpu = process.cpuUsage(); // before the collections below, which are the probe's, not the server's
    globalThis.gc?.();
    globalThis.gc?.();
    process.send!({
      type: 'memory',
      gc: typeof globalThis.gc === 'function',
      ...process.memoryUsage(),
      cpuMs: (cpu.user + cpu.system) / 1000,
      delayMaxMs: delay.max / 1e6,
      delayP99Ms: delay.percentile(99) / 1e6,
    });
  }
});
// The channel must not keep the server alive (it stops on SIGTERM as it always does); Node refs it again
// on the tick after a 'message' listener is added, hence the unref after that.
setImmediate(() => process.channel?.unref());
